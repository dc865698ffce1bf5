package org.contactsync.sandbox;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** Failures a test asked for, served one per /api request in the order they were asked for. */
final class Faults {

    sealed interface Fault permits Reset, Failure, Throttle, TimeOut {
    }

    /** The connection is closed without an answer, before the request is handled. */
    record Reset() implements Fault {
    }

    /** The request is answered with this status instead of being handled. */
    record Failure(int status) implements Fault {
    }

    /** The request is answered 429 with this Retry-After instead of being handled. */
    record Throttle(long retryAfterSeconds) implements Fault {
    }

    /** The request is handled, but its answer is withheld for {@code hold} and the connection then closed without one. */
    record TimeOut(Duration hold) implements Fault {
    }

    private final Deque<Fault> planned = new ArrayDeque<>();

    synchronized void plan(Fault fault, int requests) {
        if (requests < 0) {
            throw new IllegalArgumentException("requests must not be negative: " + requests);
        }
        for (int i = 0; i < requests; i++) {
            planned.add(fault);
        }
    }

    synchronized Optional<Fault> next() {
        return Optional.ofNullable(planned.poll());
    }
}
