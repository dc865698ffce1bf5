package org.contactsync.update;

/**
 * An update that retrying cannot finish: the Contact is gone from Virtuous, or someone else keeps writing it between
 * our read and our write. The donor goes to the dead letter with this message as the reason.
 */
public class ContactUpdateException extends RuntimeException {

    public ContactUpdateException(String message) {
        super(message);
    }
}
