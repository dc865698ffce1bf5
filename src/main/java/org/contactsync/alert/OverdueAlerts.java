package org.contactsync.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.contactsync.bundle.Settings;
import org.contactsync.ledger.OverdueMarks;
import org.contactsync.ledger.OverdueMarks.Overdue;

/**
 * The warning before the deadline: a donor PENDING longer than {@code sync.pending.warn-after} is overdue. The count is
 * the metric, the readiness detail and the status page's line; each overdue spell is notified once, through
 * {@code sync.alert.endpoint} when one is set, at most one notification per {@code sync.alert.min-interval} (crossings
 * in between wait for the next one, none is dropped).
 */
public class OverdueAlerts {

    /** The most donors one notification names; the rest are named by the next ones. */
    static final int NAMED = 100;

    private final OverdueMarks marks;
    private final Clock clock;
    private final Duration warnAfter;
    private final Duration minInterval;
    private final String warnAfterText;
    private final String deadlineText;
    /** When a notification last failed to leave, on this node: a refusing endpoint is tried again once per interval too. */
    private volatile OffsetDateTime lastFailure;

    /** {@code deadlineText}: sync.pending.deadline as written, for the words of the warning. */
    public OverdueAlerts(OverdueMarks marks, Clock clock, Duration warnAfter, Duration minInterval, String deadlineText) {
        this.marks = marks;
        this.clock = clock;
        this.warnAfter = warnAfter;
        this.minInterval = minInterval;
        // the warning as the settings would write it: sync.pending.warn-after may be empty (a third of the deadline)
        this.warnAfterText = Settings.shortDuration(warnAfter);
        this.deadlineText = deadlineText;
    }

    /** How many donors are overdue now. */
    public long count() {
        return marks.count(now().minus(warnAfter));
    }

    /** The status API's {@code overdue}: the threshold and how many donors are past it. */
    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("warnAfter", warnAfterText);
        view.put("deadline", deadlineText);
        view.put("count", count());
        return view;
    }

    /** The warning's words for {@code count} overdue donors: readiness, the log, the notification. */
    String warning(long count) {
        return count + " donor(s) waiting for Virtuous longer than " + warnAfterText + " (sync.pending.warn-after); each goes to the "
                + "dead letter " + deadlineText + " after its submit unless Virtuous's import creates its Contact (check the import: "
                + "Match Needed / Update Needed)";
    }

    /**
     * The spells to notify now, marked notified: the overdue donors not yet notified, unless a notification left (or
     * failed to) less than {@code sync.alert.min-interval} ago. Empty when there is nothing to send.
     */
    public List<Overdue> claim() {
        OffsetDateTime now = now();
        marks.forgetEnded(now.minus(minInterval));
        OffsetDateTime last = marks.lastNotified();
        if (last != null && now.isBefore(last.plus(minInterval)) || lastFailure != null && now.isBefore(lastFailure.plus(minInterval))) {
            return List.of();
        }
        return marks.mark(marks.unnotified(now.minus(warnAfter), NAMED), now);
    }

    /** The notification's text: the warning, then one line per donor it names. */
    public String message(List<Overdue> spells) {
        return warning(Math.max(count(), spells.size())) + "\n" + spells.stream()
                .map(spell -> spell.reference() + " PENDING since " + spell.submittedAt()).collect(Collectors.joining("\n"));
    }

    /** The notification could not be sent: its donors are named again by the next one, an interval later. */
    public void unsent(List<Overdue> spells) {
        marks.unmark(spells);
        lastFailure = now();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
