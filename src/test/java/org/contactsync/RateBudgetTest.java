package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.seda.SedaEndpoint;
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

/** With a small organisation budget, every call goes through the rate governor: work waits, nothing is dropped, no 429 reaches a route. */
class RateBudgetTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** sync.concurrency: once this many callers wait at the governor, no request is in flight. */
    private static final int CONSUMERS = 4;

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().sandbox((sandbox, clock) -> sandbox.setClock(clock)).startedByTest();

    @Test
    void aRunNeedingMoreCallsThanTheBudgetWaitsForTheNextWindowAndLosesNoDonor() throws Exception {
        start(12, "1.0", "0");
        for (int i = 1; i <= 10; i++) {
            bundle().post("/donors", "{\"referenceId\":\"budget-" + i + "\",\"firstName\":\"Donor\",\"lastName\":\"Number" + i + "\"}");
        }
        // each new donor costs a Find and a Transaction: 20 calls, 12 in this window
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting() > 0 && sandbox().requests().size() == 12);

        clock().advance(Duration.ofHours(1));

        for (int i = 1; i <= 10; i++) {
            bundle().awaitState("PartnerPlatform", "budget-" + i, SyncState.PENDING);
        }
        assertThat(sandbox().requests()).hasSize(20).noneMatch(request -> request.status() == 429);
        assertThat(bundle().deadLetters()).isEmpty();
    }

    @Test
    void a429CausedByAnotherIntegrationIsWaitedOutAndTheDonorStillSyncs() throws Exception {
        start(3, "1.0", "0");
        // another integration of the organisation spends the whole budget
        for (int i = 0; i < 3; i++) {
            HTTP.send(HttpRequest.newBuilder(URI.create(sandbox().getBaseUrl() + "/api/Contact/Types"))
                    .header("Authorization", "Bearer " + sandbox().getApiKey()).build(), HttpResponse.BodyHandlers.discarding());
        }

        bundle().post("/donors", "{\"referenceId\":\"after-429\",\"firstName\":\"Edith\",\"lastName\":\"Clarke\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().requests().stream().anyMatch(request -> request.status() == 429));
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting() > 0);
        clock().advance(Duration.ofHours(1));

        bundle().awaitState("PartnerPlatform", "after-429", SyncState.PENDING);
        assertThat(bundle().deadLetters()).isEmpty();
        assertThat(governor().status()).containsEntry("rateLimited", 1L);
    }

    @Test
    void donorsWaitingForBudgetAreQueuedOnceHoweverOftenTheRedriveRuns() throws Exception {
        start(2, "1.0", "0", Map.of("sync.redrive.period-ms", "100"));
        sendDonors("held", 20);
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting() == CONSUMERS);

        NotifyBuilder redrives = new NotifyBuilder(bundle().context()).fromRoute("virtuous-sync-received-redrive").whenCompleted(5).create();
        assertThat(redrives.matches(20, TimeUnit.SECONDS)).isTrue();

        assertThat(queuedDonors()).as("each donor not yet taken by a consumer, once").doesNotHaveDuplicates().hasSizeLessThan(20);
        releaseBudget();
        awaitAllPending("held", 20);
    }

    @Test
    void aFullQueueNeverFailsIntakeTheDonorsWaitInTheLedgerAndAllSync() throws Exception {
        start(2, "1.0", "0", Map.of("sync.queue-size", "5", "sync.redrive.period-ms", "100"));
        sendDonors("overflow", 20);
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting() == CONSUMERS);

        assertThat(queuedDonors()).hasSizeLessThanOrEqualTo(5);
        releaseBudget();
        awaitAllPending("overflow", 20);
    }

    @Test
    void aWebhookWhoseContactMustBeReadIsAnsweredAtOnceWhileTheBudgetIsSpentAndReadAfterARestartOnceItReturns() throws Exception {
        start(2, "1.0", "0", Map.of("sync.webhook.read-period-ms", "100"));
        bundle().post("/donors", "{\"referenceId\":\"hook-held\",\"firstName\":\"Cecilia\",\"lastName\":\"Payne\"}");
        bundle().awaitState("PartnerPlatform", "hook-held", SyncState.PENDING);
        long contactId = sandbox().runBatch().get(0).contactId();

        SyncBundle.Response answer = bundle().post("/webhooks/virtuous", "{\"event\":\"ContactCreate\",\"contact\":{\"id\":" + contactId + "}}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("queued");
        NotifyBuilder reads = new NotifyBuilder(bundle().context()).fromRoute("virtuous-sync-webhook-contact-read").whenCompleted(3).create();
        assertThat(reads.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(sandbox().requestCount("GET", "/api/Contact/" + contactId)).as("not read while the budget is held").isZero();
        assertThat(bundle().get("/sync/status").json()).containsEntry("webhookReadsWaiting", 1);
        assertThat(bundle().observe("/observe/metrics").body()).contains("virtuous_sync_webhook_reads_waiting 1.0");
        fixture.stopBundle();
        releaseBudget();
        fixture.start(Map.of("virtuous.rate.max-share", "1.0", "virtuous.rate.floor", "0", "sync.webhook.read-period-ms", "100"));

        assertThat(bundle().awaitState("PartnerPlatform", "hook-held", SyncState.SYNCED).contactId()).isEqualTo(contactId);
        assertThat(sandbox().requests()).filteredOn(request -> request.path().equals("/api/Contact/" + contactId))
                .as("read once, by the restarted bundle").singleElement().extracting(request -> request.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().get("/sync/status").json().get("webhookReadsWaiting"), Integer.valueOf(0)::equals);
    }

    /** Every donor accepted (202), one POST each, as a platform sends them live. */
    private void sendDonors(String prefix, int count) throws Exception {
        for (int i = 1; i <= count; i++) {
            SyncBundle.Response answer = bundle().post("/donors", "{\"referenceId\":\"" + prefix + "-" + i + "\",\"firstName\":\"Donor\",\"lastName\":\"Number" + i + "\"}");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        }
    }

    /** A larger budget from the next hour on: the governor learns it from the first answers of the new window. */
    private void releaseBudget() {
        sandbox().setRateLimitPerHour(200);
        clock().advance(Duration.ofHours(1));
    }

    private void awaitAllPending(String prefix, int count) throws Exception {
        for (int i = 1; i <= count; i++) {
            bundle().awaitState("PartnerPlatform", prefix + "-" + i, SyncState.PENDING);
        }
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).as("one Transaction per donor").isEqualTo(count);
        assertThat(bundle().deadLetters()).isEmpty();
    }

    private List<Object> queuedDonors() {
        return bundle().context().getEndpoint("seda:virtuous-sync-contact-sync", SedaEndpoint.class).getQueue().stream()
                .map(exchange -> exchange.getMessage().getBody()).toList();
    }

    private void start(int budgetPerHour, String maxShare, String floor) throws Exception {
        start(budgetPerHour, maxShare, floor, Map.of());
    }

    private void start(int budgetPerHour, String maxShare, String floor, Map<String, String> settings) throws Exception {
        clock().advanceIntoNextHour();
        sandbox().setRateLimitPerHour(budgetPerHour);
        Map<String, String> overrides = new HashMap<>(settings);
        overrides.put("virtuous.rate.max-share", maxShare);
        overrides.put("virtuous.rate.floor", floor);
        // donors one by one waiting for budget: the live path never coalesces here (LiveCoalescingTest covers it)
        overrides.put("sync.live.max-delay", "1000d");
        fixture.start(overrides);
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

    private RateGovernor governor() {
        return bundle().bean("rate-governor", RateGovernor.class);
    }

    @SuppressWarnings("unchecked")
    private int waiting() {
        return ((Map<Object, Integer>) governor().status().get("waiting")).values().stream().mapToInt(Integer::intValue).sum();
    }
}
