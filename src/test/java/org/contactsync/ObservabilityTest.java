package org.contactsync;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the people who run the bundle watch: Prometheus metrics on the management port that agree with the ledger and
 * with what Virtuous saw, and readiness that goes DOWN, with the reason, while the rate budget is exhausted for long.
 */
class ObservabilityTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final Pattern SERIES = Pattern.compile("^(virtuous_sync_\\S+?)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().sandbox((sandbox, clock) -> sandbox.setClock(clock)).startedByTest();

    @Test
    void metricsAgreeWithTheLedgerAndWithWhatVirtuousSaw() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Known", "lastName", "Donor", "referenceSource", SOURCE, "referenceId", "obs-known"));
        fixture.start(Map.of("sync.webhook.secret", "observability-secret",
                "sync.webhook.public-url", "http://localhost:{{camel.server.port}}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !sandbox().webhooks().isEmpty());

        bundle().post("/donors", "[{\"referenceId\":\"obs-new-1\",\"firstName\":\"Ida\",\"lastName\":\"Tarbell\"},"
                + "{\"referenceId\":\"obs-new-2\",\"firstName\":\"Nellie\",\"lastName\":\"Bly\"},"
                + "{\"referenceId\":\"obs-known\",\"firstName\":\"Known\",\"lastName\":\"Donor\"}]");
        // an invalid email: rejected at intake, straight to the dead letter
        bundle().post("/donors", "{\"referenceId\":\"obs-bad\",\"firstName\":\"Bad\",\"lastName\":\"Email\",\"email\":\"not-an-email\"}");
        bundle().awaitState(SOURCE, "obs-new-1", SyncState.PENDING);
        bundle().awaitState(SOURCE, "obs-new-2", SyncState.PENDING);
        bundle().awaitState(SOURCE, "obs-known", SyncState.SYNCED);
        clock().advance(Duration.ofHours(2));

        Map<String, Double> pending = metrics();
        assertThat(pending.get("virtuous_sync_donors{state=\"PENDING\"}")).isEqualTo(2.0);
        assertThat(pending.get("virtuous_sync_donors{state=\"SYNCED\"}")).isEqualTo(1.0);
        assertThat(pending.get("virtuous_sync_pending_oldest_age_seconds")).isBetween(7200.0, 7300.0);
        assertThat(pending.get("virtuous_sync_dead_letters_open")).isEqualTo(1.0);
        assertThat(pending.get("virtuous_sync_dead_letters_total")).isEqualTo(1.0);

        assertThat(bundle().post("/webhooks/virtuous", "{\"event\":\"contactCreate\",\"contact\":{\"id\":1}}",
                Map.of("X-Virtuous-Signature", "forged")).status()).isEqualTo(401);
        sandbox().runBatch();
        bundle().awaitState(SOURCE, "obs-new-1", SyncState.SYNCED);
        bundle().awaitState(SOURCE, "obs-new-2", SyncState.SYNCED);

        // the ledger's gauges read one snapshot per second
        Map<String, Double> synced = await().atMost(Duration.ofSeconds(5)).until(this::metrics,
                series -> series.get("virtuous_sync_donors{state=\"PENDING\"}") == 0.0);
        assertThat(synced.get("virtuous_sync_donors{state=\"SYNCED\"}")).isEqualTo(3.0);
        assertThat(synced.get("virtuous_sync_pending_oldest_age_seconds")).isZero();
        assertThat(synced.get("virtuous_sync_virtuous_requests_total{endpoint=\"transaction-submit\",method=\"POST\",status=\"200\"}"))
                .isEqualTo((double) sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2.0);
        assertThat(sum(synced, "virtuous_sync_virtuous_requests_total{endpoint=\"find-by-"))
                .isEqualTo((double) sandbox().requestCount("GET", "/api/Contact/Find"));
        assertThat(sum(synced, "virtuous_sync_virtuous_requests_total{")).isEqualTo((double) sandbox().requests().size());
        assertThat(synced.get("virtuous_sync_webhook_deliveries_total{outcome=\"rejected\",status=\"401\"}")).isEqualTo(1.0);
        assertThat(synced.get("virtuous_sync_webhook_deliveries_total{outcome=\"accepted\",status=\"200\"}"))
                .isEqualTo((double) sandbox().deliveries().stream().filter(delivery -> delivery.status() == 200).count());
        assertThat(synced.get("virtuous_sync_rate_budget_remaining")).isEqualTo(((Number) governor().status().get("remaining")).doubleValue());
        assertThat(synced.get("virtuous_sync_rate_share_remaining")).isPositive();
    }

    @Test
    void readinessIsDownWithTheReasonWhileTheBudgetIsHeldPastTheThresholdAndLivenessStaysUp() throws Exception {
        sandbox().setRateLimitPerHour(4);
        clock().advanceIntoNextHour();
        fixture.start(Map.of("virtuous.rate.max-share", "1.0", "virtuous.rate.floor", "0", "sync.health.budget-wait-max", "15m"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(bundle().get("/sync/health").body()).startsWith("{\"status\":\"UP\""));

        // three new donors need six calls; the window allows four
        for (int i = 1; i <= 3; i++) {
            bundle().post("/donors", "{\"referenceId\":\"held-" + i + "\",\"firstName\":\"Held\",\"lastName\":\"Donor" + i + "\"}");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().requests().size() == 4 && bundle().get("/sync/health").status() == 503);

        SyncBundle.Response health = bundle().get("/sync/health");
        assertThat(health.json()).containsEntry("status", "DOWN");
        assertThat(check(health, "virtuous-rate-budget")).containsEntry("state", "DOWN");
        assertThat((String) check(health, "virtuous-rate-budget").get("message"))
                .contains("rate budget exhausted", "spent 4 of our share of 4", "nothing is lost");
        assertThat(check(health, "virtuous-access")).containsEntry("state", "UP");
        assertThat(check(health, "sync-database")).containsEntry("state", "UP");
        assertThat(bundle().observe("/observe/health/ready").status()).isEqualTo(503);
        assertThat(bundle().observe("/observe/health/ready").body()).contains("virtuous-rate-budget", "rate budget exhausted");
        assertThat(bundle().observe("/observe/health/live").status()).as("a restart brings no budget back").isEqualTo(200);

        // ten minutes before the window turns, the hold is shorter than the threshold: ready again
        clock().advance(Duration.ofMinutes(50));
        await().atMost(Duration.ofSeconds(5)).until(() -> bundle().get("/sync/health").status() == 200);

        clock().advance(Duration.ofMinutes(11));
        for (int i = 1; i <= 3; i++) {
            bundle().awaitState(SOURCE, "held-" + i, SyncState.PENDING);
        }
        assertThat(bundle().deadLetters()).isEmpty();
    }

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }

    private TestClock clock() {
        return fixture.clock();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(SyncBundle.Response health, String id) throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) health.json().get("checks")).get(id);
    }

    private Map<String, Double> metrics() throws Exception {
        SyncBundle.Response scrape = bundle().observe("/observe/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        Map<String, Double> series = new HashMap<>();
        Matcher line = SERIES.matcher(scrape.body());
        while (line.find()) {
            series.put(line.group(1) + (line.group(2) == null ? "" : line.group(2)), Double.valueOf(line.group(3)));
        }
        return series;
    }

    private static double sum(Map<String, Double> series, String prefix) {
        return series.entrySet().stream().filter(entry -> entry.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }

    private RateGovernor governor() {
        return bundle().bean("rate-governor", RateGovernor.class);
    }
}
