package org.contactsync.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.IntSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.OnCamelContextStopping;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one gate every Virtuous call passes. The organisation's hourly budget (5,000 requests) is shared with its other
 * integrations, so the bundle spends at most {@code maxShare} of it per window and never takes the organisation's
 * remaining budget below {@code floor}. It learns the budget from the {@code X-RateLimit-*} headers of every answer
 * (either spelling; Reset in Unix seconds or milliseconds; absent headers leave the estimate as it was), and a 429 pauses every caller
 * until its {@code Retry-After}. Callers wait in lanes: a live donor goes before a poll, a poll before a bulk load; and
 * while the window's budget is short, a poll or bulk call leaves a live donor in progress the calls it still needs, so its
 * Find and Transaction are not split by a chunk taking the slot between them.
 * Nothing is dropped: a caller waits (re-checking at least every second, so a moved clock is noticed) until it may go.
 * Nodes sharing one database each count their own calls, so each spends its part of the share: {@code maxShare} divided
 * by the live nodes. When the bundle stops, every waiting caller is let go with a {@link CancellationException}: nothing
 * was sent for it, and its donor stays where it was for the next start, so a stop never waits for budget.
 */
public class RateGovernor implements OnCamelContextStopping {

    /** Lanes in priority order. */
    public enum Lane { LIVE, POLL, BULK }

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.rate");
    /** Virtuous's documented budget window. */
    public static final Duration HOUR = Duration.ofHours(1);
    private static final long LONGEST_WAIT_MILLIS = 1000;
    /** The calls a live donor may still need after its first: a Find by email and the Transaction. */
    private static final int CALLS_KEPT_PER_LIVE_DONOR = 2;

    private final Clock clock;
    /** How long one budget window lasts: what a window after the current one gives is planned with it. */
    private final Duration window;
    private final double maxShare;
    private final int floor;
    private final IntSupplier nodes;
    private final Map<Lane, Integer> waiting = new EnumMap<>(Lane.class);

    private int limit;
    private int remaining;
    private Instant windowEnd;
    private int spent;
    private Instant pausedUntil = Instant.MIN;
    private long calls;
    private long rateLimited;
    private int liveDonorsInProgress;
    private boolean stopping;

    /** {@code nodes} tells how many nodes share the budget (1 for a single bundle); the window is Virtuous's hour. */
    public RateGovernor(Clock clock, int assumedLimitPerHour, double maxShare, int floor, IntSupplier nodes) {
        this(clock, assumedLimitPerHour, maxShare, floor, nodes, HOUR);
    }

    /** {@code window}: virtuous.rate.window, the length of the budget's window (an hour at Virtuous; shorter in a compressed bench). */
    public RateGovernor(Clock clock, int assumedLimitPerHour, double maxShare, int floor, IntSupplier nodes, Duration window) {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("virtuous.rate.window must be above 0, was " + window);
        }
        if (maxShare <= 0 || maxShare > 1) {
            throw new IllegalArgumentException("virtuous.rate.max-share must be above 0 and at most 1, was " + maxShare);
        }
        this.clock = clock;
        this.window = window;
        this.maxShare = maxShare;
        this.floor = floor;
        this.nodes = nodes;
        this.limit = assumedLimitPerHour;
        this.remaining = assumedLimitPerHour;
        this.windowEnd = clock.instant().plus(window);
        for (Lane lane : Lane.values()) {
            waiting.put(lane, 0);
        }
    }

    /** Waits until a call in this lane ({@code live}, {@code poll} or {@code bulk}; null is live) may go, then counts it. */
    public synchronized void acquire(String lane) throws InterruptedException {
        Lane own = lane == null ? Lane.LIVE : Lane.valueOf(lane.toUpperCase(Locale.ROOT));
        waiting.merge(own, 1, Integer::sum);
        try {
            boolean announced = false;
            while (true) {
                if (stopping) {
                    throw new CancellationException("the bundle is stopping: the call was not sent");
                }
                Instant now = clock.instant();
                rollWindow(now);
                Instant blockedUntil = blockedUntil(now);
                if (blockedUntil == null && !higherLaneWaiting(own) && (own == Lane.LIVE || available() > keptForLiveDonors())) {
                    spent++;
                    remaining--;
                    calls++;
                    return;
                }
                if (blockedUntil != null && !announced) {
                    LOG.info("Virtuous budget: {} call waits until {} (spent {} of our {} this window, {} left for the organisation)",
                            own.name().toLowerCase(Locale.ROOT), blockedUntil, spent, share(), remaining);
                    announced = true;
                }
                long millis = blockedUntil == null ? LONGEST_WAIT_MILLIS : Duration.between(now, blockedUntil).toMillis();
                wait(Math.max(1, Math.min(millis, LONGEST_WAIT_MILLIS)));
            }
        } finally {
            waiting.merge(own, -1, Integer::sum);
            notifyAll();
        }
    }

    @Override
    public synchronized void onContextStopping(CamelContext context) {
        stopping = true;
        notifyAll();
    }

    /** Counts a donor on the live path until its exchange completes (see the class comment). */
    public synchronized void liveDonorStarted(Exchange donor) {
        liveDonorsInProgress++;
        donor.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                liveDonorFinished();
            }
        });
    }

    private synchronized void liveDonorFinished() {
        liveDonorsInProgress--;
        notifyAll();
    }

    /**
     * Reads the answer's rate-limit headers; returns true for a 429, after pausing every caller until Retry-After
     * (or the window's reset when Virtuous gives none), so the caller sends the same request again.
     */
    public synchronized boolean observe(Exchange exchange) {
        Message answer = exchange.getMessage();
        Instant now = clock.instant();
        Integer newLimit = number(header(answer, "Limit"));
        Integer newRemaining = number(header(answer, "Remaining"));
        Instant reset = resetTime(header(answer, "Reset"));
        if (newLimit != null) {
            limit = newLimit;
        }
        if (newRemaining != null) {
            remaining = newRemaining;
        }
        if (reset != null && reset.isAfter(now)) {
            if (reset.isAfter(windowEnd)) {
                spent = 0;
            }
            windowEnd = reset;
        }
        boolean tooMany = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class) == 429;
        if (tooMany) {
            rateLimited++;
            Instant until = retryAfter(answer.getHeader("Retry-After"), now);
            // the budget is back when Virtuous says to retry: that is when its window turns
            pausedUntil = until == null ? windowEnd : until;
            windowEnd = pausedUntil;
            LOG.warn("Virtuous answered 429: every call waits until {}", pausedUntil);
        }
        notifyAll();
        return tooMany;
    }

    /** For the status API and the metrics. */
    public synchronized Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("limit", limit);
        status.put("remaining", remaining);
        status.put("windowEnd", windowEnd.toString());
        status.put("spentThisWindow", spent);
        status.put("ourShare", share());
        status.put("nodes", nodes.getAsInt());
        status.put("floor", floor);
        status.put("calls", calls);
        status.put("rateLimited", rateLimited);
        status.put("waiting", Map.copyOf(waiting));
        return status;
    }

    /** Until when every call is held for budget (our share spent, the floor reached, or a 429); null when calls may go. */
    public synchronized Instant heldUntil() {
        Instant now = clock.instant();
        rollWindow(now);
        return blockedUntil(now);
    }

    /**
     * How long {@code requests} more calls would wait for budget if nothing else spent any: a plan for work such as a
     * bulk load, not a promise (live donors, polls and the organisation's other integrations spend from the same budget).
     */
    public synchronized Duration waitFor(int requests) {
        Instant now = clock.instant();
        if (now.isBefore(pausedUntil)) {
            // a 429's Retry-After ends with a fresh window
            return Duration.between(now, pausedUntil).plus(laterWindows(requests));
        }
        boolean turned = !now.isBefore(windowEnd);
        int available = availableAt(now);
        if (requests <= available) {
            return Duration.ZERO;
        }
        Instant nextWindow = turned ? now.plus(window) : windowEnd;
        return Duration.between(now, nextWindow).plus(laterWindows(requests - available));
    }

    /** How many calls could go now without waiting (our share left this window, above the organisation's floor). */
    public synchronized int availableNow() {
        Instant now = clock.instant();
        return now.isBefore(pausedUntil) ? 0 : availableAt(now);
    }

    private int availableAt(Instant now) {
        boolean turned = !now.isBefore(windowEnd);
        return Math.max(0, Math.min(share() - (turned ? 0 : spent), (turned ? limit : remaining) - floor));
    }

    /**
     * The plan for each lane's waiting work ({@code requests} per lane): when the last of it would be sent if nothing else
     * spent any budget. Lanes go in priority order, so a lane's work waits behind the work of every lane above it.
     */
    public synchronized Map<Lane, Duration> eta(Map<Lane, Integer> requests) {
        Map<Lane, Duration> eta = new EnumMap<>(Lane.class);
        int ahead = 0;
        for (Lane lane : Lane.values()) {
            int own = requests.getOrDefault(lane, 0);
            ahead += own;
            eta.put(lane, own == 0 ? Duration.ZERO : waitFor(ahead));
        }
        return eta;
    }

    /** This node's part of the bundle's share of one window. */
    public synchronized int shareOfWindow() {
        return share();
    }

    /** The windows after the first that {@code requests} calls need, each window giving our share above the floor. */
    private Duration laterWindows(int requests) {
        int perWindow = Math.max(1, Math.min(share(), limit - floor));
        return window.multipliedBy((requests + perWindow - 1) / perWindow - 1);
    }

    /** This node's part of the bundle's share. */
    private int share() {
        return (int) Math.floor(limit * maxShare / Math.max(1, nodes.getAsInt()));
    }

    /** Calls this window still allows: our share left, and the organisation's budget above the floor. */
    private int available() {
        return Math.min(share() - spent, remaining - floor);
    }

    private int keptForLiveDonors() {
        return liveDonorsInProgress * CALLS_KEPT_PER_LIVE_DONOR;
    }

    /** When the next call may go, or null when it may go now. */
    private Instant blockedUntil(Instant now) {
        if (now.isBefore(pausedUntil)) {
            return pausedUntil;
        }
        if (available() <= 0) {
            return windowEnd;
        }
        return null;
    }

    private void rollWindow(Instant now) {
        if (!now.isBefore(windowEnd)) {
            windowEnd = now.plus(window);
            spent = 0;
            remaining = limit;
        }
    }

    private boolean higherLaneWaiting(Lane own) {
        for (Lane lane : Lane.values()) {
            if (lane == own) {
                return false;
            }
            if (waiting.get(lane) > 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code X-RateLimit-<name>}, or the hyphenated {@code X-Rate-Limit-<name>} some documents show (case-insensitive). */
    private static Object header(Message answer, String name) {
        Object value = answer.getHeader("X-RateLimit-" + name);
        return value != null ? value : answer.getHeader("X-Rate-Limit-" + name);
    }

    private static Integer number(Object header) {
        try {
            return header == null ? null : Integer.valueOf(header.toString().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Unix seconds, or milliseconds when the number is too large to be seconds. */
    private static Instant resetTime(Object header) {
        try {
            if (header == null) {
                return null;
            }
            long value = Long.parseLong(header.toString().strip());
            return value > 100_000_000_000L ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Seconds, or an HTTP date. */
    private static Instant retryAfter(Object header, Instant now) {
        if (header == null) {
            return null;
        }
        String value = header.toString().strip();
        try {
            return now.plusSeconds(Long.parseLong(value));
        } catch (NumberFormatException e) {
            try {
                return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException unreadable) {
                return null;
            }
        }
    }
}
