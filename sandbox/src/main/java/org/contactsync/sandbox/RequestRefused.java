package org.contactsync.sandbox;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request the API refuses, with the status the update-a-contact seed gives it: 404 when the Contact (or the part) is
 * not there, merged or deleted; 422 when a value fails validation; 409 when a value may be on one Contact only.
 */
final class RequestRefused extends IllegalArgumentException {

    enum Reason { NOT_FOUND, INVALID, CONFLICT }

    private final Reason reason;
    private final transient List<FieldError> errors;

    private RequestRefused(Reason reason, List<FieldError> errors, String message) {
        super(message);
        this.reason = reason;
        this.errors = List.copyOf(errors);
    }

    static RequestRefused notFound() {
        return new RequestRefused(Reason.NOT_FOUND, List.of(), "No such Contact, or it was merged or deleted.");
    }

    static RequestRefused invalid(List<FieldError> errors) {
        return new RequestRefused(Reason.INVALID, errors, describe(errors));
    }

    static RequestRefused conflict(List<FieldError> errors) {
        return new RequestRefused(Reason.CONFLICT, errors, describe(errors));
    }

    Reason reason() {
        return reason;
    }

    List<FieldError> errors() {
        return errors;
    }

    private static String describe(List<FieldError> errors) {
        return errors.stream().map(error -> error.field() + ": " + error.message()).collect(Collectors.joining(" "));
    }
}
