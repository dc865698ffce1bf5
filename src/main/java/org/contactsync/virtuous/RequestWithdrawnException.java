package org.contactsync.virtuous;

/**
 * A submit had nothing left to send by the time the rate governor let it go: its donors moved on while it waited (a
 * newer delivery of the donor was refused at intake, say). Nothing was sent; the stage ends the donor's exchange quietly.
 */
public class RequestWithdrawnException extends RuntimeException {

    public RequestWithdrawnException(String operation) {
        super(operation + " withdrawn: its donors moved on while it waited, nothing was sent");
    }
}
