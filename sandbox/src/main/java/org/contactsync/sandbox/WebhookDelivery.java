package org.contactsync.sandbox;

/**
 * One webhook POST the sandbox made, or would have made. {@code status} is the receiver's HTTP status, 0 when there was
 * no answer; {@code outcome} is {@link #DELIVERED}, {@link #FAILED} or {@link #DROPPED}.
 */
public record WebhookDelivery(String payloadUrl, String event, long contactId, int status, String outcome) {

    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
    /** Delivery was switched off to simulate a webhook lost on the way. */
    public static final String DROPPED = "dropped";
}
