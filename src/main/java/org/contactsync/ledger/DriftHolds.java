package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The donors held for the organisation's drift (table drift_hold): RECEIVED donors that carry a value Virtuous no longer
 * has. A held donor keeps its state, so nothing else about it changes; it loses its claim, the redrive and the bulk
 * worker pass it by (see {@link Claims#unclaimedReceived} and {@link Leases#claimBulkChunk}), and its history says why.
 */
public class DriftHolds {

    /** SQL over a sync_ledger row (its table named {@code alias}): not held. */
    static String notHeld(String alias) {
        return "NOT EXISTS (SELECT 1 FROM drift_hold h WHERE h.reference_source = " + alias + ".reference_source AND h.reference_id = "
                + alias + ".reference_id)";
    }

    private final SyncLedger ledger;

    public DriftHolds(SyncLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * Holds the RECEIVED donor with this reason, giving up its claim; its history records the reason when it is new.
     * Returns false when the donor is no longer RECEIVED (it moved on meanwhile): nothing is held then.
     */
    public boolean hold(ReferencePair reference, String reason) {
        String stored = SyncLedger.toColumn(reason);
        Boolean held = ledger.database().transactions().execute(status -> {
            OffsetDateTime now = ledger.now();
            int received = ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = NULL, claimed_by = NULL, claimed_for = NULL "
                    + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED'", reference.referenceSource(), reference.referenceId());
            if (received == 0) {
                return false;
            }
            List<String> before = ledger.jdbc().queryForList("SELECT reason FROM drift_hold WHERE reference_source = ? AND reference_id = ?",
                    String.class, reference.referenceSource(), reference.referenceId());
            if (before.isEmpty()) {
                ledger.jdbc().update("INSERT INTO drift_hold (reference_source, reference_id, reason, held_at) VALUES (?, ?, ?, ?)",
                        reference.referenceSource(), reference.referenceId(), stored, now);
            } else {
                ledger.jdbc().update("UPDATE drift_hold SET reason = ? WHERE reference_source = ? AND reference_id = ?", stored,
                        reference.referenceSource(), reference.referenceId());
            }
            if (!before.contains(stored)) {
                ledger.recordHistory(reference, SyncState.RECEIVED, "held: " + reason, now);
            }
            return true;
        });
        return Boolean.TRUE.equals(held);
    }

    /** Lets the donor go on: returns true (and records it in its history) when it was held. */
    public boolean release(ReferencePair reference, String why) {
        Boolean released = ledger.database().transactions().execute(status -> {
            int deleted = ledger.jdbc().update("DELETE FROM drift_hold WHERE reference_source = ? AND reference_id = ?",
                    reference.referenceSource(), reference.referenceId());
            if (deleted > 0) {
                ledger.recordHistory(reference, SyncState.RECEIVED, "released: " + why, ledger.now());
            }
            return deleted > 0;
        });
        return Boolean.TRUE.equals(released);
    }

    /** The donors held now, oldest hold first; holds of donors that moved on since (a replay, a discard) are dropped. */
    public List<LedgerEntry> held() {
        ledger.jdbc().update("DELETE FROM drift_hold WHERE NOT EXISTS (SELECT 1 FROM sync_ledger l WHERE l.reference_source = "
                + "drift_hold.reference_source AND l.reference_id = drift_hold.reference_id AND l.state = 'RECEIVED')");
        return ledger.jdbc().query("SELECT " + prefixed() + " FROM sync_ledger l JOIN drift_hold h ON h.reference_source = l.reference_source "
                + "AND h.reference_id = l.reference_id WHERE l.state = 'RECEIVED' ORDER BY h.held_at", ledger.rows());
    }

    /** How many donors each reason holds, for the status and readiness. */
    public Map<String, Object> byReason() {
        Map<String, Object> counts = new LinkedHashMap<>();
        ledger.jdbc().query("SELECT h.reason, COUNT(*) FROM drift_hold h JOIN sync_ledger l ON h.reference_source = l.reference_source "
                + "AND h.reference_id = l.reference_id WHERE l.state = 'RECEIVED' GROUP BY h.reason ORDER BY h.reason",
                row -> { counts.put(row.getString(1), row.getLong(2)); });
        return counts;
    }

    private static String prefixed() {
        return String.join(", ", Arrays.stream(SyncLedger.COLUMNS.split(",")).map(column -> "l." + column.strip()).toList());
    }
}
