package org.contactsync.sandbox;

/**
 * What a property left out of a PUT body means (virtuous-api.md §3.4, a [CONFLICT]). Everything else is the same in
 * both: a property sent is applied (an explicit null clears it), and an array sent is the new list of its items.
 */
public enum PutSemantics {
    /**
     * The spec and the Postman docs: "excluding a property will remove its value". Left-out properties are reset
     * (null, false, an empty array), at every depth.
     */
    REPLACE,
    /** The live API as observed and as the docs guide describes it: left-out properties keep their values. */
    PATCH
}
