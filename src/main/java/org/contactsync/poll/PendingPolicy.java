package org.contactsync.poll;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.Leases;
import org.contactsync.ledger.ReferencePair;

/**
 * How long a donor may stay PENDING: polled by reference once it has waited {@code sync.poll.after}, and sent to the
 * dead letter (or submitted again, when Virtuous never answered the submit) once Virtuous has not resolved it within
 * {@code sync.pending.deadline} of its submit.
 */
public class PendingPolicy {


    private final Leases leases;
    private final LedgerViews views;
    private final Clock clock;
    private final Duration after;
    private final Duration deadline;
    private final int batchSize;

    public PendingPolicy(Leases leases, LedgerViews views, Clock clock, Duration after, Duration deadline, int batchSize) {
        this.leases = leases;
        this.views = views;
        this.clock = clock;
        this.after = after;
        this.deadline = deadline;
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


}
