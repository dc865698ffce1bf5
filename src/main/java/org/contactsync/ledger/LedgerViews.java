package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the status API, the status page, the metrics and the webhook receiver read of the ledger; none of it changes a row. */
public class LedgerViews {

    private final SyncLedger ledger;

    public LedgerViews(SyncLedger ledger) {
        this.ledger = ledger;
    }

    /** The row as the status API shows it, with its history; null when the pair is unknown. */
    public Map<String, Object> view(String referenceSource, String referenceId) {
        ReferencePair reference = new ReferencePair(referenceSource, referenceId);
        LedgerEntry entry = ledger.entry(reference);
        if (entry == null) {
            return null;
        }
        Map<String, Object> view = entry.toView();
        view.put("history", ledger.history(reference));
        return view;
    }

    /** Donors by state, every state present (0 when none). */
    public Map<SyncState, Long> countsByState() {
        Map<SyncState, Long> counts = new EnumMap<>(SyncState.class);
        for (SyncState state : SyncState.values()) {
            counts.put(state, 0L);
        }
        ledger.jdbc().query("SELECT state, COUNT(*) FROM sync_ledger GROUP BY state", row -> {
            counts.put(SyncState.valueOf(row.getString(1)), row.getLong(2));
        });
        return counts;
    }

    /** The PENDING donors submitted longest ago, oldest first: their reference pair, submit time and last poll (null when none). */
    public List<Map<String, Object>> oldestPending(int limit) {
        return ledger.jdbc().query("SELECT reference_source, reference_id, submitted_at, polled_at FROM sync_ledger "
                + "WHERE state = 'PENDING' ORDER BY submitted_at, reference_source, reference_id LIMIT ?", (row, number) -> {
                    Map<String, Object> donor = new LinkedHashMap<>();
                    donor.put("referenceSource", row.getString(1));
                    donor.put("referenceId", row.getString(2));
                    donor.put("submittedAt", row.getObject(3, OffsetDateTime.class));
                    donor.put("polledAt", row.getObject(4, OffsetDateTime.class));
                    return donor;
                }, limit);
    }

    /**
     * Whether any donor may still learn its Contact from a webhook: one being worked on or sent (RECEIVED), one waiting
     * for Virtuous's import (PENDING), or one submitted that reached the dead letter before Virtuous resolved it.
     */
    public boolean anyAwaitingContact() {
        return !ledger.jdbc().queryForList("SELECT 1 FROM sync_ledger WHERE state IN ('RECEIVED', 'PENDING') "
                + "OR (state = 'FAILED' AND contact_id IS NULL AND submitted_at IS NOT NULL) FETCH FIRST 1 ROWS ONLY").isEmpty();
    }
}
