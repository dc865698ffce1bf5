package org.contactsync.sandbox;

import java.time.Instant;
import java.util.Map;

/**
 * The organisation-wide hourly budget: a fixed window aligned to the clock's hours (or, compressed for a bench, to
 * multiples of a shorter window since the epoch), so a test clock knows exactly when it resets. Refused requests do not
 * consume budget.
 */
final class RateLimiter {

    private final SandboxSettings settings;
    private long window = Long.MIN_VALUE;
    private int used;

    RateLimiter(SandboxSettings settings) {
        this.settings = settings;
    }

    synchronized Status acquire() {
        Instant now = rollWindow();
        boolean allowed = used < settings.rateLimitPerHour();
        if (allowed) {
            used++;
        }
        return status(allowed, now);
    }

    /** Spends budget for requests made by the organisation's other integrations, which share it. */
    synchronized void spend(int requests) {
        rollWindow();
        used += requests;
    }

    /** Spends, as the organisation's other integrations, all but {@code requests} of the current window's budget. */
    synchronized void leave(int requests) {
        rollWindow();
        used = Math.max(used, settings.rateLimitPerHour() - requests);
    }

    /** Restores the whole budget of the current window. */
    synchronized void reset() {
        rollWindow();
        used = 0;
    }

    /** The current state without spending budget, for answers that are not attributed to the organisation (401). */
    synchronized Status peek() {
        return status(true, rollWindow());
    }

    private Instant rollWindow() {
        Instant now = settings.now();
        long current = Math.floorDiv(now.getEpochSecond(), settings.rateWindowSeconds());
        if (current != window) {
            window = current;
            used = 0;
        }
        return now;
    }

    private Status status(boolean allowed, Instant now) {
        int limit = settings.rateLimitPerHour();
        long reset = (window + 1) * settings.rateWindowSeconds();
        return new Status(allowed, limit, Math.max(0, limit - used), reset, reset - now.getEpochSecond());
    }

    record Status(boolean allowed, int limit, int remaining, long resetEpochSecond, long secondsUntilReset) {

        Map<String, String> headers() {
            return Map.of("X-RateLimit-Limit", Integer.toString(limit),
                    "X-RateLimit-Remaining", Integer.toString(remaining),
                    "X-RateLimit-Reset", Long.toString(resetEpochSecond));
        }
    }
}
