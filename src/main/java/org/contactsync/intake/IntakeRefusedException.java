package org.contactsync.intake;

/**
 * A delivery refused as a whole, before any of it is stored: it could not be read as donors at all (not JSON, no
 * donors, not text) or it exceeds a limit. The status is what {@code POST /donors} answers (400, 413 or 415); a file
 * refused so goes to {@code .failed/} with the reason beside it; any other source gets the exception.
 */
public class IntakeRefusedException extends RuntimeException {

    private final int status;

    public IntakeRefusedException(int status, String problem) {
        super(problem);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }
}
