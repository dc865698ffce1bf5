package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The donors PENDING for longer than the warning threshold, and which of their PENDING spells (one per submit, told apart
 * by its submitted_at) were notified: table overdue_alert. A spell is marked, committed, before its notification leaves,
 * so neither a restart nor a second node notifies it again; the mark is given back when the notification fails.
 */
public class OverdueMarks {

    private final SyncLedger ledger;

    public OverdueMarks(SyncLedger ledger) {
        this.ledger = ledger;
    }

    /** A donor PENDING since {@code submittedAt}. */
    public record Overdue(ReferencePair reference, OffsetDateTime submittedAt) {
    }

    /** How many donors have been PENDING since before {@code submittedBefore}. */
    public long count(OffsetDateTime submittedBefore) {
        return jdbc().queryForObject("SELECT COUNT(*) FROM sync_ledger WHERE state = 'PENDING' AND submitted_at < ?", Long.class,
                submittedBefore);
    }

    /** The donors PENDING since before {@code submittedBefore} whose spell has not been notified, oldest first. */
    public List<Overdue> unnotified(OffsetDateTime submittedBefore, int limit) {
        return jdbc().query("SELECT l.reference_source, l.reference_id, l.submitted_at FROM sync_ledger l WHERE l.state = 'PENDING' "
                + "AND l.submitted_at < ? AND NOT EXISTS (SELECT 1 FROM overdue_alert a WHERE a.reference_source = l.reference_source "
                + "AND a.reference_id = l.reference_id AND a.submitted_at = l.submitted_at) "
                + "ORDER BY l.submitted_at, l.reference_source, l.reference_id LIMIT ?", (row, number) ->
                new Overdue(new ReferencePair(row.getString(1), row.getString(2)), row.getObject(3, OffsetDateTime.class)),
                submittedBefore, limit);
    }

    /**
     * Marks each spell notified at {@code at}, and returns those this call marked: not one another node marked first, nor
     * one whose donor left PENDING (or was submitted again) meanwhile. The key's submitted_at is copied from the ledger row.
     */
    public List<Overdue> mark(List<Overdue> spells, OffsetDateTime at) {
        List<Overdue> marked = new ArrayList<>();
        for (Overdue spell : spells) {
            try {
                if (jdbc().update("INSERT INTO overdue_alert (reference_source, reference_id, submitted_at, notified_at) "
                        + "SELECT reference_source, reference_id, submitted_at, ? FROM sync_ledger WHERE reference_source = ? "
                        + "AND reference_id = ? AND state = 'PENDING' AND submitted_at = ?", at, spell.reference().referenceSource(),
                        spell.reference().referenceId(), spell.submittedAt()) == 1) {
                    marked.add(spell);
                }
            } catch (DuplicateKeyException e) {
                // another node notifies this spell
            }
        }
        return marked;
    }

    /** The notification did not leave: its spells are notified by a later one. */
    public void unmark(List<Overdue> spells) {
        for (Overdue spell : spells) {
            jdbc().update("DELETE FROM overdue_alert WHERE reference_source = ? AND reference_id = ? AND submitted_at = ?",
                    spell.reference().referenceSource(), spell.reference().referenceId(), spell.submittedAt());
        }
    }

    /** When the last notification left, or null: the rate limit counts from it, on every node. */
    public OffsetDateTime lastNotified() {
        return jdbc().queryForObject("SELECT MAX(notified_at) FROM overdue_alert", OffsetDateTime.class);
    }

    /** Removes the marks of spells that ended (the donor is no longer PENDING with that submit) and were notified before {@code before}. */
    public int forgetEnded(OffsetDateTime notifiedBefore) {
        return jdbc().update("DELETE FROM overdue_alert WHERE notified_at < ? AND NOT EXISTS (SELECT 1 FROM sync_ledger l "
                + "WHERE l.reference_source = overdue_alert.reference_source AND l.reference_id = overdue_alert.reference_id "
                + "AND l.state = 'PENDING' AND l.submitted_at = overdue_alert.submitted_at)", notifiedBefore);
    }

    private JdbcTemplate jdbc() {
        return ledger.jdbc();
    }
}
