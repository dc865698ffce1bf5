package org.contactsync.webhook;

import java.util.List;

import org.contactsync.ledger.ReferencePair;

/**
 * A contactCreate or contactUpdate delivery, reduced to what the sync needs: how the ledger records the resolution
 * ({@code webhook-create} or {@code webhook-update}), the Contact, the reference pairs it
 * carries, and the Contact it was merged into when a person merged duplicates in Virtuous.
 */
public record ContactEvent(String resolvedBy, long contactId, Long mergedIntoContactId, List<ReferencePair> references) {

    /** The Contact the donor now lives in. */
    public long survivingContactId() {
        return mergedIntoContactId == null ? contactId : mergedIntoContactId;
    }
}
