package org.contactsync.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequest;
import org.springframework.dao.DataAccessException;

/**
 * The bundle's own meters, named for the domain under the bundle's prefix, in whatever Micrometer registry the Camel
 * context has (Camel Main's Prometheus registry behind {@code /observe/metrics}, or the host runtime's). Prometheus
 * names, with the default prefix: {@code virtuous_sync_donors}, {@code virtuous_sync_pending_oldest_age_seconds},
 * {@code virtuous_sync_virtuous_requests_total}, {@code virtuous_sync_rate_budget_remaining},
 * {@code virtuous_sync_rate_share_remaining}, {@code virtuous_sync_dead_letters_open}, {@code virtuous_sync_dead_letters_total},
 * {@code virtuous_sync_webhook_deliveries_total}, {@code virtuous_sync_webhook_reads_waiting},
 * {@code virtuous_sync_query_fallbacks_total}, {@code virtuous_sync_ready{check}}, {@code virtuous_sync_drift{setting}},
 * {@code virtuous_sync_pending_overdue}, {@code virtuous_sync_lane_eta_seconds{lane}}. Without a registry nothing is recorded and nothing fails: metrics are the
 * host's choice.
 */
public class SyncMetrics implements CamelContextAware {

    /** Gauges over the ledger read the database; one snapshot serves a whole scrape. */
    private static final Duration SNAPSHOT_AGE = Duration.ofSeconds(1);

    /** The meters' names start with this: sync.prefix with dots for dashes (virtuous.sync.donors, Prometheus virtuous_sync_donors). */
    private final String names;
    private final LedgerViews ledger;
    private final DeadLetterStore deadLetters;
    private final RateGovernor governor;
    private final LongSupplier webhookReadsWaiting;
    private final LongSupplier pendingOverdue;
    private final Clock clock;
    private final List<HealthCheck> readiness;
    private final ToDoubleFunction<RateGovernor.Lane> laneEta;
    private CamelContext camelContext;
    private MeterRegistry registry;
    private Map<SyncState, Long> counts;
    private Instant countedAt = Instant.MIN;

    public SyncMetrics(String prefix, LedgerViews ledger, DeadLetterStore deadLetters, RateGovernor governor, LongSupplier webhookReadsWaiting,
            LongSupplier pendingOverdue, Clock clock, List<? extends HealthCheck> readiness, ToDoubleFunction<RateGovernor.Lane> laneEta) {
        this.names = prefix.replace('-', '.') + ".";
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.governor = governor;
        this.webhookReadsWaiting = webhookReadsWaiting;
        this.pendingOverdue = pendingOverdue;
        this.clock = clock;
        this.readiness = List.copyOf(readiness);
        this.laneEta = laneEta;
    }

    /**
     * Registers the gauges once a registry exists. Called at start and again before each recording, because a
     * registry may be bound after the bundle's beans (Camel Main binds its Prometheus registry while it starts).
     */
    public synchronized MeterRegistry bind() {
        if (registry == null && camelContext != null) {
            MeterRegistry found = MicrometerUtils.getMeterRegistryFromCamelRegistry(camelContext.getRegistry(),
                    MicrometerConstants.METRICS_REGISTRY_NAME);
            if (found != null) {
                registerGauges(found);
                registry = found;
            }
        }
        return registry;
    }

    private void registerGauges(MeterRegistry meters) {
        for (SyncState state : SyncState.values()) {
            Gauge.builder(names + "donors", this, metrics -> metrics.donors(state))
                    .description("Donors in the sync ledger by state").tag("state", state.name()).register(meters);
        }
        Gauge.builder(names + "pending.oldest.age", this, SyncMetrics::oldestPendingSeconds).baseUnit("seconds")
                .description("How long the donor PENDING longest has waited for Virtuous's import (0 when none)").register(meters);
        Gauge.builder(names + "rate.budget.remaining", governor, g -> number(g.status().get("remaining")))
                .description("Requests the organisation has left this window, as Virtuous's X-RateLimit-Remaining reports").register(meters);
        Gauge.builder(names + "rate.share.remaining", governor, g -> number(g.status().get("ourShare")) - number(g.status().get("spentThisWindow")))
                .description("Requests this bundle may still spend this window (its share of the organisation's budget)").register(meters);
        Gauge.builder(names + "dead.letters.open", this, SyncMetrics::openDeadLetters)
                .description("Dead letters waiting for an operator").register(meters);
        Gauge.builder(names + "webhook.reads.waiting", this, SyncMetrics::webhookReadsWaiting)
                .description("Webhook events whose Contact waits to be read from Virtuous").register(meters);
        Gauge.builder(names + "pending.overdue", this, metrics -> metrics.read(metrics.pendingOverdue))
                .description("Donors PENDING longer than sync.pending.warn-after: overdue, before their deadline").register(meters);
        for (RateGovernor.Lane lane : RateGovernor.Lane.values()) {
            Gauge.builder(names + "lane.eta", laneEta, eta -> eta.applyAsDouble(lane)).baseUnit("seconds")
                    .description("How long the lane's waiting work takes at the current budget, as the rate governor plans it")
                    .tag("lane", lane.name().toLowerCase(Locale.ROOT)).register(meters);
        }
        for (HealthCheck check : readiness) {
            // the check itself, at each scrape: what readiness would answer now (its reason is in the health endpoint)
            Gauge.builder(names + "ready", check, ready -> ready.call().getState() == HealthCheck.State.UP ? 1 : 0)
                    .description("1 while the bundle's readiness check is UP, 0 while it is DOWN").tag("check", check.getId()).register(meters);
        }
    }

    /** After every request to Virtuous: its operation and how it was answered ("none" for a timeout or reset). */
    public void virtuousCall(Exchange exchange) {
        MeterRegistry meters = bind();
        VirtuousRequest request = exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class);
        if (meters == null || request == null) {
            return;
        }
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Counter.builder(names + "virtuous.requests").description("Requests sent to Virtuous by operation and answer")
                .tag("endpoint", request.operation()).tag("method", request.method())
                .tag("status", status == null ? "none" : String.valueOf(status)).register(meters).increment();
    }

    /** A webhook delivery answered: 200 accepted, anything else rejected (bad signature, shape or size). */
    public void webhookDelivery(Integer status) {
        MeterRegistry meters = bind();
        if (meters != null) {
            Counter.builder(names + "webhook.deliveries").description("Virtuous webhook deliveries by outcome")
                    .tag("outcome", status != null && status == 200 ? "accepted" : "rejected")
                    .tag("status", String.valueOf(status)).register(meters).increment();
        }
    }

    /** A poll run whose Contact Query could not answer, so its donors were polled by reference. */
    public void queryFallback() {
        MeterRegistry meters = bind();
        if (meters != null) {
            Counter.builder(names + "query.fallbacks").description("Poll runs whose Contact Query could not answer, polled by reference instead")
                    .register(meters).increment();
        }
    }

    /**
     * The drift guard's gauge for one setting (or donor field): 1 while the organisation lacks the value it gives, 0
     * otherwise. Registered once, at the first call that finds the registry: the guard calls after every check.
     */
    public void drift(String setting, BooleanSupplier drifted) {
        MeterRegistry meters = bind();
        if (meters != null && meters.find(names + "drift").tag("setting", setting).gauge() == null) {
            // held strongly: the supplier is the gauge's only holder (Micrometer keeps a gauge's object weakly by default)
            Gauge.builder(names + "drift", drifted, flag -> flag.getAsBoolean() ? 1 : 0).strongReference(true)
                    .description("1 while the organisation lacks the value this setting (or donor field) gives donors: they are held")
                    .tag("setting", setting).register(meters);
        }
    }

    public void deadLettered() {
        MeterRegistry meters = bind();
        if (meters != null) {
            Counter.builder(names + "dead.letters").description("Donors sent to the dead letter").register(meters).increment();
        }
    }

    private synchronized double donors(SyncState state) {
        Instant now = clock.instant();
        try {
            if (counts == null || now.isAfter(countedAt.plus(SNAPSHOT_AGE))) {
                counts = ledger.countsByState();
                countedAt = now;
            }
            return counts.get(state);
        } catch (DataAccessException e) {
            return Double.NaN;
        }
    }

    private double oldestPendingSeconds() {
        try {
            return ledger.oldestPending(1).stream()
                    .mapToDouble(oldest -> Duration.between(((OffsetDateTime) oldest.get("submittedAt")).toInstant(), clock.instant()).toSeconds())
                    .findFirst().orElse(0.0);
        } catch (DataAccessException e) {
            return Double.NaN;
        }
    }

    private double openDeadLetters() {
        try {
            return deadLetters.countOpen();
        } catch (DataAccessException e) {
            return Double.NaN;
        }
    }

    private double webhookReadsWaiting() {
        return read(webhookReadsWaiting);
    }

    private double read(LongSupplier count) {
        try {
            return count.getAsLong();
        } catch (DataAccessException e) {
            return Double.NaN;
        }
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }
}
