package org.contactsync.sandbox;

/**
 * What the nightly batch did with one held Transaction. {@code event} is the webhook subscription flag it raised
 * ({@code contactCreate} or {@code contactUpdate}); the reference pair is null when the Transaction carried none.
 */
public record BatchResult(String event, long contactId, String referenceSource, String referenceId) {

    public static final String CONTACT_CREATE = "contactCreate";
    public static final String CONTACT_UPDATE = "contactUpdate";
}
