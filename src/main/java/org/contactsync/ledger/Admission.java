package org.contactsync.ledger;

/** What the ledger made of a donor handed to it by intake. */
public enum Admission {
    /** First time this reference pair was seen. */
    NEW(true),
    /** Known, and its data differs from what the ledger holds. */
    CHANGED(true),
    /** Known and identical to what the ledger holds: costs no API call. */
    UNCHANGED(false),
    /** Known but waiting for Virtuous to import it; the new data is kept and applied once it is SYNCED. */
    HELD_WHILE_PENDING(false),
    /** Was in the dead letter; sent again, so it gets a fresh attempt. */
    RETRY(true);

    private final boolean syncNeeded;

    Admission(boolean syncNeeded) {
        this.syncNeeded = syncNeeded;
    }

    public boolean isSyncNeeded() {
        return syncNeeded;
    }
}
