package org.contactsync.ledger;

/** The key Virtuous correlates on: the platform's name for itself and its id for the donor. */
public record ReferencePair(String referenceSource, String referenceId) {

    @Override
    public String toString() {
        return referenceSource + ":" + referenceId;
    }
}
