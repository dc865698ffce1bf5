package org.contactsync.ledger;

import java.util.List;

/** Donors of one bulk load claimed for one {@code POST /api/Contact/Batch}: a Batch names one referenceSource for all its items. */
public record BulkChunk(long loadId, String referenceSource, List<LedgerEntry> donors) {

    public boolean isEmpty() {
        return donors.isEmpty();
    }

    public static BulkChunk none() {
        return new BulkChunk(0, null, List.of());
    }
}
