package org.contactsync.sandbox;

/**
 * One request received under {@code /api}: the raw path without the query, the raw query ("" when none), the status
 * answered, 0 when the client got no answer (a reset connection or a timed-out request).
 */
public record RecordedRequest(String method, String path, String query, int status) {
}
