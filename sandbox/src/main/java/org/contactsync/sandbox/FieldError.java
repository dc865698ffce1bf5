package org.contactsync.sandbox;

/** One problem with a request; {@code field} is null when the problem is the body as a whole. */
record FieldError(String field, String code, String message) {

    static FieldError bodyNotAnObject() {
        return new FieldError(null, "INVALID_JSON", "The request body must be a JSON object.");
    }
}
