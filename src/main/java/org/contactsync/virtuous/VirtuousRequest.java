package org.contactsync.virtuous;

/**
 * One call to the Virtuous API: method, path with its query already encoded, and an optional JSON body.
 * {@code operation} names the call in logs and errors. A submit (a Contact Transaction or Batch) carries a
 * {@link Submit} instead of a body: it records, durably, that the request is about to leave, and gives the body to send.
 */
public record VirtuousRequest(String operation, String method, String pathAndQuery, Object body, Submit submit) {

    public VirtuousRequest(String operation, String method, String pathAndQuery, Object body) {
        this(operation, method, pathAndQuery, body, null);
    }

    /**
     * Whether the request creates something, so that sending it again after a lost answer could create it twice: such a
     * request is never repeated once it may have reached Virtuous ({@link UnansweredRequestException}).
     */
    public boolean creates() {
        return "POST".equals(method) && !"contact-query".equals(operation);
    }

    /**
     * Called once the access gate and the rate governor let the request go, right before it leaves, and again for each
     * repeat of it (after a 429 or a refused key, neither of which Virtuous took): marks what it submits as sent and
     * answers the body to send, or null when nothing is left to send (its donors moved on while it waited).
     */
    @FunctionalInterface
    public interface Submit {
        Object mark();
    }
}
