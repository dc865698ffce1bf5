package org.contactsync.virtuous;

/**
 * Virtuous answered with a status the calling stage did not expect. Carries what the dead letter and
 * the error policy need: the status, Virtuous's own message and whether trying again can help.
 */
public class VirtuousApiException extends RuntimeException {

    private final String operation;
    private final int status;
    private final String virtuousMessage;

    public VirtuousApiException(String operation, int status, String virtuousMessage) {
        super(operation + " answered HTTP " + status + (virtuousMessage == null ? "" : ": " + virtuousMessage));
        this.operation = operation;
        this.status = status;
        this.virtuousMessage = virtuousMessage;
    }

    public String getOperation() {
        return operation;
    }

    public int getStatus() {
        return status;
    }

    public String getVirtuousMessage() {
        return virtuousMessage;
    }

    /** Server-side trouble and rate limiting pass; a 4xx means the request itself must change. */
    public boolean isRetryable() {
        return isServerTrouble(status) || status == 429;
    }

    /** 5xx and 408: Virtuous, or what fronts it, could not answer this time; these also count towards the circuit breaker. */
    static boolean isServerTrouble(int status) {
        return status >= 500 || status == 408;
    }
}
