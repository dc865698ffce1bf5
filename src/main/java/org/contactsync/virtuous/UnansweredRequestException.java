package org.contactsync.virtuous;

/**
 * A request that creates something ({@link VirtuousRequest#creates()}) may have reached Virtuous, and no answer says
 * whether it took it: the connection was reset or timed out after the request left, or a 5xx came back that a server
 * can send after it wrote. It is never sent again as it is; the calling stage settles it another way (a submit waits
 * for its webhook or the poll; an update starts over from a fresh read).
 */
public class UnansweredRequestException extends RuntimeException {

    public UnansweredRequestException(String operation, String what, Throwable cause) {
        super(operation + " got no answer that says whether Virtuous took it (" + what + ")", cause);
    }

    /** What happened, for the donor's history: the part in parentheses. */
    public String getFailure() {
        String message = getMessage();
        return message.substring(message.indexOf('(') + 1, message.length() - 1);
    }
}
