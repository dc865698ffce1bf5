package org.contactsync.virtuous;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OnCamelContextStopping;
import org.contactsync.ratelimit.RateGovernor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do after each try of a Virtuous call, in one place: every answer and every failure is classed as done
 * (the answer goes to the caller), send the same request again when the governor or the access gate lets it (429, a
 * refused key: Virtuous took nothing, and none of the call's retries is spent), retry after a backoff (503, 408, a
 * connection never made; for a request that only reads or replaces, any 5xx, timeout or reset too), or give up: the
 * failure goes to the caller's error policy, with the number of tries in the {@code redeliveries} variable. A request
 * that creates something ({@link VirtuousRequest#creates()}) and may have reached Virtuous is never sent again: it ends
 * as an {@link UnansweredRequestException}. A stop lets a caller waiting out a backoff go at once.
 */
public class VirtuousCall implements OnCamelContextStopping {

    /** How many tries of the current call failed and were retried; what a dead letter reports. */
    public static final String REDELIVERIES = "redeliveries";
    /** Set true by a caller that has a cheaper way on than a retry (the poll's Query falls back to GETs). */
    public static final String NO_RETRIES = "virtuousCallNoRetries";
    private static final String DONE = "virtuousCallDone";
    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.virtuous");

    private final ApiAccessGate gate;
    private final RateGovernor governor;
    private final int maxRetries;
    private final long initialDelayMillis;
    private final long maxDelayMillis;
    private boolean stopping;

    public VirtuousCall(ApiAccessGate gate, RateGovernor governor, int maxRetries, long initialDelayMillis, long maxDelayMillis) {
        this.gate = gate;
        this.governor = governor;
        this.maxRetries = maxRetries;
        this.initialDelayMillis = initialDelayMillis;
        this.maxDelayMillis = maxDelayMillis;
    }

    public void begin(Exchange exchange) {
        exchange.setVariable(DONE, false);
        exchange.setVariable(REDELIVERIES, 0);
    }

    public boolean isDone(Exchange exchange) {
        return exchange.getVariable(DONE, false, Boolean.class);
    }

    /** After a try that got an answer: done, or a try again. */
    public void answered(Exchange exchange) throws InterruptedException {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        if (status == null) {
            // the try failed without an answer; failed() has decided
            return;
        }
        boolean throttled = governor.observe(exchange);
        boolean refused = gate.observe(exchange);
        if (throttled || refused) {
            return;
        }
        VirtuousRequest request = exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class);
        boolean retryable = status == 503 || status == 408 || status >= 500 && !request.creates();
        if (retryable && retried(exchange, "HTTP " + status)) {
            return;
        }
        exchange.setVariable(DONE, true);
    }

    /** After a try that got no answer: a retry, or the failure for the caller. */
    public void failed(Exchange exchange) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        gate.unanswered(exchange, failure);
        VirtuousRequest request = exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class);
        if (!(failure instanceof IOException)) {
            // the gate, the governor or the marking: before the request was made, and not Virtuous's doing
            throw failure;
        }
        boolean neverSent = ApiAccessGate.neverConnected(failure);
        String what = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        if (!neverSent && request.creates()) {
            throw new UnansweredRequestException(request.operation(), what, failure);
        }
        if (!retried(exchange, what)) {
            throw failure;
        }
    }

    /** Retries after the backoff when tries are left, answering whether it does. */
    private boolean retried(Exchange exchange, String what) throws InterruptedException {
        int redeliveries = exchange.getVariable(REDELIVERIES, 0, Integer.class);
        if (redeliveries >= maxRetries || exchange.getVariable(NO_RETRIES, false, Boolean.class)) {
            return false;
        }
        long delay = Math.min(maxDelayMillis, initialDelayMillis << Math.min(redeliveries, 20));
        // spread, so that calls failing together do not come back together
        delay = (long) (delay * (0.85 + ThreadLocalRandom.current().nextDouble() * 0.3));
        VirtuousRequest request = exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class);
        LOG.warn("{} failed ({}): try {} of {} in {} ms", request.operation(), what, redeliveries + 2, maxRetries + 1, delay);
        pause(delay);
        exchange.setVariable(REDELIVERIES, redeliveries + 1);
        return true;
    }

    private synchronized void pause(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        for (long left = millis; left > 0; left = until - System.currentTimeMillis()) {
            if (stopping) {
                throw new CancellationException("the bundle is stopping: the call was not sent again");
            }
            wait(left);
        }
    }

    @Override
    public synchronized void onContextStopping(CamelContext context) {
        stopping = true;
        notifyAll();
    }
}
