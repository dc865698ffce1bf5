package org.contactsync.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Failures a test asked for, served one per /api request in the order they were asked for; a fault planned for one
 * method and path prefix waits for a request that matches. With none planned, random ones when {@link #random} is set,
 * drawn from one seeded Random so a run's sequence of faults replays.
 */
final class Faults {

    sealed interface Fault permits Reset, Failure, FailureAfter, Throttle, TimeOut, Canned {
    }

    /** The connection is closed without an answer, before the request is handled. */
    record Reset() implements Fault {
    }

    /** The request is answered with this status instead of being handled. */
    record Failure(int status) implements Fault {
    }

    /**
     * The request is handled (a write takes effect), then answered with this status instead of its own answer: the
     * stricter reading of a 5xx, which does not promise that nothing happened.
     */
    record FailureAfter(int status) implements Fault {
    }

    /** The request is answered 429 with this Retry-After instead of being handled. */
    record Throttle(long retryAfterSeconds) implements Fault {
    }

    /** The request is handled, but its answer is withheld for {@code hold} and the connection then closed without one. */
    record TimeOut(Duration hold) implements Fault {
    }

    /** The request is answered with exactly this status and body (empty for none) instead of being handled. */
    record Canned(int status, String body) implements Fault {
    }

    /** A planned fault, for any request ({@code method} null) or for those with this method and path prefix. */
    private record Planned(Fault fault, String method, String pathPrefix) {

        boolean matches(String requestMethod, String path) {
            return method == null || method.equalsIgnoreCase(requestMethod)
                    && path.toLowerCase(Locale.ROOT).startsWith(pathPrefix.toLowerCase(Locale.ROOT));
        }
    }

    private final List<Planned> planned = new ArrayList<>();
    private final Map<String, Integer> served = new LinkedHashMap<>();
    private double rate;
    private Random random;
    private Duration hold;

    synchronized void plan(Fault fault, int requests) {
        plan(fault, requests, null, null);
    }

    /** For the next {@code requests} requests with {@code method} and a path starting with {@code pathPrefix}. */
    synchronized void plan(Fault fault, int requests, String method, String pathPrefix) {
        if (requests < 0) {
            throw new IllegalArgumentException("requests must not be negative: " + requests);
        }
        for (int i = 0; i < requests; i++) {
            planned.add(new Planned(fault, method, pathPrefix));
        }
    }

    /**
     * From now on each request without a planned fault gets, with probability {@code rate}, one of: a reset before it
     * is handled, a 503 before it is handled, a 500 after it was handled, or an answer withheld for {@code hold} after
     * it was handled. A rate of 0 switches them off.
     */
    synchronized void random(double rate, long seed, Duration hold) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be between 0 and 1: " + rate);
        }
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold must not be negative: " + hold);
        }
        this.rate = rate;
        this.random = new Random(seed);
        this.hold = hold;
    }

    synchronized Optional<Fault> next(String method, String path) {
        Fault fault = null;
        for (Iterator<Planned> each = planned.iterator(); each.hasNext() && fault == null; ) {
            Planned next = each.next();
            if (next.matches(method, path)) {
                fault = next.fault();
                each.remove();
            }
        }
        if (fault == null && rate > 0 && random.nextDouble() < rate) {
            fault = switch (random.nextInt(4)) {
                case 0 -> new Reset();
                case 1 -> new Failure(503);
                case 2 -> new FailureAfter(500);
                default -> new TimeOut(hold);
            };
        }
        if (fault != null) {
            served.merge(name(fault), 1, Integer::sum);
        }
        return Optional.ofNullable(fault);
    }

    /** How many faults of each kind were served, planned and random alike. */
    synchronized Map<String, Integer> served() {
        return new LinkedHashMap<>(served);
    }

    private static String name(Fault fault) {
        // Java 17 has no pattern matching for switch
        if (fault instanceof Failure failure) {
            return "status " + failure.status() + " before handling";
        }
        if (fault instanceof FailureAfter failure) {
            return "status " + failure.status() + " after handling";
        }
        if (fault instanceof TimeOut) {
            return "answer withheld after handling";
        }
        if (fault instanceof Canned canned) {
            return "answered " + canned.status() + " instead of handling";
        }
        return fault instanceof Reset ? "reset" : "throttled";
    }
}
