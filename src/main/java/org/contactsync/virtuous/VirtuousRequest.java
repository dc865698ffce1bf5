package org.contactsync.virtuous;

/**
 * One call to the Virtuous API: method, path with its query already encoded, and an optional JSON body.
 * {@code operation} names the call in logs and errors.
 */
public record VirtuousRequest(String operation, String method, String pathAndQuery, Object body) {
}
