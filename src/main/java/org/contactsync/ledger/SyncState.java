package org.contactsync.ledger;

/** Where a donor is on its way to a Virtuous Contact. */
public enum SyncState {
    /** Accepted and stored; not yet looked up or submitted. */
    RECEIVED,
    /** Submitted as a Contact Transaction; waiting for Virtuous to import it. */
    PENDING,
    /** Linked to a Virtuous Contact id. */
    SYNCED,
    /** In the dead letter; needs an operator. */
    FAILED
}
