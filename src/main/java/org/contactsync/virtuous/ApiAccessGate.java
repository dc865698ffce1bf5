package org.contactsync.virtuous;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OnCamelContextStopping;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether Virtuous may be called at all, in front of the rate governor on every call. Three things close it, and all
 * make every caller wait (re-checking at least every second, never dropping work) while one probe at a time finds
 * out whether it may open again:
 * <ul>
 *   <li>no API key at all ({@code virtuous.api.key} empty): nothing could be sent, so nothing is; every
 *       {@code probeInterval} the key is looked for again (a vault may supply it later), and once there one request
 *       tries it;</li>
 *   <li>the API key refused (401) or not permitted (403): retrying cannot help until someone fixes the key, and
 *       dead-lettering every donor in the meantime would bury the backlog, so the refused request is sent again once
 *       a probe, every {@code probeInterval}, is accepted;</li>
 *   <li>the circuit breaker: {@code failureThreshold} answers in a row that were 5xx, 408 or none at all (timeouts,
 *       refused or reset connections) mean Virtuous is down, so calls stop for {@code openFor} instead of hammering
 *       it, then one probe goes. A caller waiting here spends none of its donor's retries.</li>
 * </ul>
 * Only the probe's answer opens the gate: a request sent before it closed may still come back fine. When the bundle
 * stops, every waiting caller is let go with a {@link CancellationException}, its request unsent.
 */
public class ApiAccessGate implements OnCamelContextStopping {

    public enum State { USABLE, KEY_MISSING, KEY_REFUSED, CIRCUIT_OPEN }

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.virtuous");
    private static final long LONGEST_WAIT_MILLIS = 1000;

    private final Clock clock;
    private final Duration probeInterval;
    private final int failureThreshold;
    private final Duration openFor;
    private final BooleanSupplier keySet;

    private State state = State.USABLE;
    private int refusedStatus;
    private String reason;
    private Instant since;
    private Instant nextProbeAt = Instant.MIN;
    private String probeHolder;
    private int consecutiveFailures;
    /** Of those, the latest in a row that made no connection at all, and the last one's exception. */
    private int unconnected;
    private String lastUnconnected;
    private boolean stopping;

    /** {@code keySet}: whether there is an API key to send now (it is read again on every request). */
    public ApiAccessGate(Clock clock, long probeIntervalMillis, int failureThreshold, long openForMillis, BooleanSupplier keySet) {
        if (probeIntervalMillis <= 0 || openForMillis <= 0 || failureThreshold < 1) {
            throw new IllegalArgumentException("virtuous.auth.probe-interval-ms and virtuous.circuit.open-for-ms must be above 0, "
                    + "virtuous.circuit.failure-threshold at least 1");
        }
        this.clock = clock;
        this.probeInterval = Duration.ofMillis(probeIntervalMillis);
        this.failureThreshold = failureThreshold;
        this.openFor = Duration.ofMillis(openForMillis);
        this.keySet = keySet;
        this.since = clock.instant();
        // said once at start, and readiness DOWN from the start, rather than at the first donor
        lookForKey();
    }

    /** Waits until this exchange may call Virtuous: at once while it is usable, else once it may be the probe. */
    public synchronized void acquire(Exchange exchange) throws InterruptedException {
        lookForKey();
        while (state != State.USABLE) {
            if (stopping) {
                throw new CancellationException("the bundle is stopping: the call was not sent");
            }
            Instant now = clock.instant();
            if (probeHolder == null && !now.isBefore(nextProbeAt)) {
                if (state == State.KEY_MISSING && !keySet.getAsBoolean()) {
                    // still no key: no request to try, so none is spent; look again later
                    nextProbeAt = now.plus(probeInterval);
                    continue;
                }
                probeHolder = exchange.getExchangeId();
                LOG.debug("Virtuous is {}: one call probes it", state);
                return;
            }
            long untilProbe = probeHolder == null ? Duration.between(now, nextProbeAt).toMillis() : LONGEST_WAIT_MILLIS;
            wait(Math.max(1, Math.min(untilProbe, LONGEST_WAIT_MILLIS)));
        }
    }

    /**
     * Reads the answer's status. Returns true when the key was refused: the caller sends the same request again once
     * the gate lets it, so its donor stays where it is instead of reaching the dead letter.
     */
    public synchronized boolean observe(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        boolean probe = exchange.getExchangeId().equals(probeHolder);
        if (probe) {
            probeHolder = null;
        }
        if (status == 401 || status == 403) {
            keyRefused(status, probe);
        } else if (VirtuousApiException.isServerTrouble(status)) {
            failed("HTTP " + status, probe, true);
        } else if (status != 429) {
            // any other answer, a 4xx about the request included, means Virtuous is up and took the key
            answered(probe);
        }
        notifyAll();
        return status == 401 || status == 403;
    }

    /** The call got no answer or could not be sent; a lost connection counts towards the circuit. */
    public synchronized void unanswered(Exchange exchange, Exception failure) {
        boolean probe = exchange.getExchangeId().equals(probeHolder);
        if (probe) {
            probeHolder = null;
        }
        if (failure instanceof IOException) {
            failed(failure.getClass().getSimpleName(), probe, !neverConnected(failure));
        }
        notifyAll();
    }

    @Override
    public synchronized void onContextStopping(CamelContext context) {
        stopping = true;
        notifyAll();
    }

    /** False while there is no key, Virtuous refuses it or the circuit is open: work queued now would only wait. */
    public synchronized boolean isUsable() {
        return state == State.USABLE;
    }

    /**
     * Why no donor reaches Virtuous now, when a person should know: no key, a refused key, or Virtuous unreachable
     * ({@code failureThreshold} calls in a row made no connection: a wrong base URL, DNS, a firewall). A circuit opened
     * by answers that were errors is Virtuous's own outage, healing by itself: no reason here.
     */
    public synchronized Optional<String> readinessProblem() {
        lookForKey();
        return switch (state) {
            case KEY_MISSING, KEY_REFUSED -> Optional.of(reason);
            case CIRCUIT_OPEN -> unconnected >= failureThreshold
                    ? Optional.of("Virtuous cannot be reached: the last " + unconnected + " calls made no connection (last: " + lastUnconnected + ")")
                    : Optional.empty();
            case USABLE -> Optional.empty();
        };
    }

    /** A failure before any connection was made: nothing reached Virtuous, whatever the request. */
    static boolean neverConnected(Exception failure) {
        return failure instanceof ConnectException || failure instanceof UnknownHostException
                || failure instanceof NoRouteToHostException || failure instanceof ConnectTimeoutException;
    }

    /** For the health check and {@code GET /sync/health}; never holds the key. */
    public synchronized Map<String, Object> status() {
        lookForKey();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("state", state.name());
        status.put("since", since.toString());
        if (state != State.USABLE) {
            status.put("reason", reason);
            status.put("nextProbeAt", nextProbeAt.toString());
        }
        status.put("consecutiveFailures", consecutiveFailures);
        return status;
    }

    /** Closes the gate while there is no key; the probe that finds one reopens it once Virtuous accepts the key. */
    private void lookForKey() {
        if (state == State.USABLE && !keySet.getAsBoolean()) {
            reason = "virtuous.api.key: empty; set VIRTUOUS_API_KEY";
            LOG.error("{}. Every Virtuous call waits and donors stay queued; the key is looked for again every {} s",
                    reason, probeInterval.toSeconds());
            close(State.KEY_MISSING, clock.instant(), probeInterval);
        }
    }

    private void keyRefused(int status, boolean probe) {
        Instant now = clock.instant();
        consecutiveFailures = 0;
        unconnected = 0;
        if (state != State.KEY_REFUSED || refusedStatus != status) {
            refusedStatus = status;
            reason = status == 401
                    ? "HTTP 401: Virtuous refused the API key; set a valid key in VIRTUOUS_API_KEY (virtuous.api.key)"
                    : "HTTP 403: the API key may not do this; give its permission group access in Virtuous (Settings > Connectivity > API Keys)";
            LOG.error("{}. Every Virtuous call waits and donors stay queued; the key is tried again every {} s",
                    reason, probeInterval.toSeconds());
            close(State.KEY_REFUSED, now, probeInterval);
        } else if (probe) {
            nextProbeAt = now.plus(probeInterval);
        }
    }

    private void failed(String what, boolean probe, boolean connected) {
        Instant now = clock.instant();
        consecutiveFailures++;
        unconnected = connected ? 0 : unconnected + 1;
        lastUnconnected = connected ? null : what;
        if (state == State.USABLE && consecutiveFailures >= failureThreshold) {
            reason = "Virtuous failed " + consecutiveFailures + " times in a row (last: " + what + ")";
            LOG.warn("{}: calls stop for {} s, then one probes it", reason, openFor.toSeconds());
            close(State.CIRCUIT_OPEN, now, openFor);
        } else if (probe) {
            nextProbeAt = now.plus(state == State.CIRCUIT_OPEN ? openFor : probeInterval);
        }
    }

    private void answered(boolean probe) {
        consecutiveFailures = 0;
        unconnected = 0;
        if (state != State.USABLE && probe) {
            LOG.info("Virtuous answers {}: calls resume", switch (state) {
                case KEY_MISSING -> "and accepts the API key now set";
                case KEY_REFUSED -> "and accepts the API key again";
                default -> "again";
            });
            state = State.USABLE;
            reason = null;
            since = clock.instant();
        }
    }

    private void close(State closed, Instant now, Duration untilProbe) {
        state = closed;
        since = now;
        nextProbeAt = now.plus(untilProbe);
    }
}
