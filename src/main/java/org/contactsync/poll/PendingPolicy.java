package org.contactsync.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.Leases;
import org.contactsync.ledger.ReferencePair;

/**
 * How long a donor may stay PENDING: polled by reference once it has waited {@code sync.poll.after}, and sent to the
 * dead letter once Virtuous has not resolved it within {@code sync.pending.deadline} of its submit. Durations are
 * read strictly ({@code 6h}, {@code 1d12h}, {@code 90m}, or ISO-8601 {@code PT6H}), so a typo stops the start
 * instead of polling every donor at once or dead-lettering them all.
 */
public class PendingPolicy {

    private static final Pattern SHORT = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    private final Leases leases;
    private final LedgerViews views;
    private final Clock clock;
    private final Duration after;
    private final Duration deadline;
    private final int batchSize;

    public PendingPolicy(Leases leases, LedgerViews views, Clock clock, String after, String deadline, int batchSize) {
        this.leases = leases;
        this.views = views;
        this.clock = clock;
        this.after = parse("sync.poll.after", after);
        this.deadline = parse("sync.pending.deadline", deadline);
        this.batchSize = batchSize;
    }

    /** The PENDING donors this run polls, each claimed for this node. */
    public List<LedgerEntry> claimDue() {
        return leases.claimForPoll(after, batchSize);
    }

    /** Every PENDING donor due for a poll, with its submit time, none claimed. */
    public Map<ReferencePair, OffsetDateTime> due() {
        return leases.duePending(after);
    }

    /** Every PENDING donor, with its submit time, none claimed. */
    public Map<ReferencePair, OffsetDateTime> pending() {
        return leases.duePending(Duration.ZERO);
    }

    /**
     * The PENDING donors submitted longest ago, for the status page: since when each waits, from when the poll asks Virtuous
     * about it again (on its next scheduled run after that; its webhook may come sooner) and when it goes to the dead letter if Virtuous never creates its Contact.
     */
    public List<Map<String, Object>> oldest(int limit) {
        List<Map<String, Object>> oldest = new ArrayList<>();
        for (Map<String, Object> row : views.oldestPending(limit)) {
            OffsetDateTime submitted = (OffsetDateTime) row.get("submittedAt");
            OffsetDateTime polled = (OffsetDateTime) row.get("polledAt");
            OffsetDateTime lastAsked = polled == null || polled.isBefore(submitted) ? submitted : polled;
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("referenceSource", row.get("referenceSource"));
            view.put("referenceId", row.get("referenceId"));
            view.put("submittedAt", submitted.toString());
            if (polled != null) {
                view.put("lastPolledAt", polled.toString());
            }
            view.put("pollDueAt", lastAsked.plus(after).toString());
            view.put("deadlineAt", submitted.plus(deadline).toString());
            oldest.add(view);
        }
        return oldest;
    }

    public boolean isPastDeadline(LedgerEntry entry) {
        return entry.submittedAt() != null && entry.submittedAt().toInstant().plus(deadline).isBefore(clock.instant());
    }

    /** The strict reading of every duration setting; names the setting when the text is not a duration. */
    public static Duration parse(String setting, String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            Matcher parts = SHORT.matcher(value);
            if (!value.isEmpty() && parts.matches()) {
                return Duration.ofDays(number(parts.group(1))).plusHours(number(parts.group(2)))
                        .plusMinutes(number(parts.group(3))).plusSeconds(number(parts.group(4)));
            }
        } catch (DateTimeParseException e) {
            // reported below, with the setting's name
        }
        throw new IllegalArgumentException(setting + ": '" + text + "' is not a duration such as 6h, 1d12h, 90m or PT6H");
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
