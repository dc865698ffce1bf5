package org.contactsync.deadletter;

/** The body of an operator API's 4xx answer. */
public record ApiProblem(String message) {

    public static ApiProblem of(Throwable failure) {
        return new ApiProblem(failure.getMessage());
    }
}
