package org.contactsync;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The live path's two modes (sync.live.max-delay): one by one on a quiet day, Contact Batch chunks once the backlog
 * could not go one by one in time at the budget, one by one again once it drained; and a stop in the middle of a
 * coalesced load whose first chunk's answer was lost, after which no donor is submitted twice and none is lost.
 */
class LiveCoalescingTest {

    private static final String CONSUMER = "virtuous-sync-contact-sync";

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().sandbox((sandbox, clock) -> sandbox.setClock(clock)).startedByTest();

    @Test
    void onAQuietDayANewDonorGoesAloneWithinSecondsForAtMostThreeRequestsAndAnUnchangedResendCostsNone() throws Exception {
        fixture.start(Map.of("sync.bulk.period-ms", "100"));
        String donor = "{\"referenceId\":\"quiet-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\"email\":\"ada@example.org\"}";

        long posted = System.nanoTime();
        assertThat(bundle().post("/donors", donor).status()).isEqualTo(202);
        bundle().awaitState("PartnerPlatform", "quiet-1", SyncState.PENDING);

        assertThat(Duration.ofNanos(System.nanoTime() - posted)).isLessThan(Duration.ofSeconds(5));
        assertThat(sandbox().requests()).hasSizeLessThanOrEqualTo(3)
                .noneMatch(request -> request.path().equals("/api/Contact/Batch"));
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        assertThat(livePath()).containsEntry("mode", "single");

        sandbox().clearRequests();
        assertThat(bundle().post("/donors", donor).status()).isEqualTo(202);
        assertThat(sandbox().requests()).as("the ledger knows it unchanged: nothing to send").isEmpty();
    }

    @Test
    void aBacklogBeyondMaxDelayAtTheBudgetGoesInBatchesAndOneByOneResumesOnceItDrained() throws Exception {
        sandbox().setRateLimitPerHour(40);
        fixture.start(pressure(40));
        // the consumers wait, so the check sees the whole backlog before any donor is taken
        bundle().context().getRouteController().suspendRoute(CONSUMER);
        for (int i = 1; i <= 20; i++) {
            post("surge-" + i, true);
        }
        // 20 new donors one by one: up to 60 requests, 40 a window, the next window up to an hour away: beyond 4s
        await().atMost(Duration.ofSeconds(10)).until(() -> "coalescing".equals(livePath().get("mode")));
        assertThat((String) livePath().get("why")).containsPattern("\\d+ new donors waiting, and \\d+ more expected in the next 4s at the pace of the last, need \\d+ requests one by one").contains("sync.live.max-delay");
        assertThat(bundle().observe("/observe/metrics").body()).contains("virtuous_sync_lane_eta_seconds{lane=\"live\"");
        // the donors waiting in the queue joined the live load at the switch; a new one goes for its Finds while the
        // window's surplus grants them (a few a check), else intake enlists it itself: most go with no consumer at all
        for (int i = 21; i <= 40; i++) {
            post("surge-" + i, true);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox().submissions().size() >= 40 - 2 * 4);
        bundle().context().getRouteController().resumeRoute(CONSUMER);

        await().atMost(Duration.ofSeconds(10)).until(() -> sandbox().submissions().size() == 40);
        assertThat(states("surge-", 40)).containsOnly(SyncState.PENDING);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isPositive();
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).as("no donor went alone").isZero();
        assertThat(sandbox().requests()).as("Finds only from the surplus: within the window's budget, no 429").hasSizeLessThanOrEqualTo(40)
                .noneMatch(request -> request.status() == 429);
        assertThat(sandbox().submissions()).hasSize(40).allSatisfy((pair, takes) -> assertThat(takes).isEqualTo(1));

        // the next window: the backlog is gone and the budget whole again
        fixture.clock().advanceIntoNextHour();
        await().atMost(Duration.ofSeconds(10)).until(() -> "single".equals(livePath().get("mode")));
        sandbox().clearRequests();
        post("after-surge", true);
        bundle().awaitState("PartnerPlatform", "after-surge", SyncState.PENDING);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isZero();
        assertThat(bundle().get("/sync/status").json().get("bulkLoads").toString()).contains("live=true");
    }

    @Test
    void aStopInTheMiddleOfACoalescedLoadWhoseFirstChunkWasTakenButNotAnsweredSubmitsNoDonorTwiceAndLosesNone() throws Exception {
        sandbox().setRateLimitPerHour(20);
        Map<String, String> settings = new LinkedHashMap<>(pressure(20));
        settings.put("sync.batch.size", "4");
        fixture.start(settings);
        // the first chunk reaches Virtuous, which takes it; its answer is lost (a 500), and the bundle stops meanwhile
        sandbox().failNextAfterHandling("POST", "/api/Contact/Batch", 500);
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        CamelContext context = bundle().context();
        // answered only once the stop is under way, so the live worker sends no second chunk
        sandbox().onNextRequest("POST", "/api/Contact/Batch", () -> {
            CompletableFuture.runAsync(fixture::stopBundle).whenComplete((done, failure) -> stopped.complete(null));
            await().atMost(Duration.ofSeconds(5)).until(() -> !context.getStatus().isStarted());
        });
        // no consumer takes them: the switch enlists the waiting donors in the live load, whose first chunk is the only Batch
        context.getRouteController().suspendRoute(CONSUMER);
        for (int i = 1; i <= 12; i++) {
            post("stopped-" + i, false);
        }
        stopped.get(20, TimeUnit.SECONDS);

        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(1);
        // restarted in a fresh window (a restarted governor knows nothing of what the last one spent in this one)
        fixture.clock().advanceIntoNextHour();
        fixture.start(settings);
        // PENDING from the moment a donor is marked sent, right before its Batch leaves: what counts is that Virtuous took it
        await().atMost(Duration.ofSeconds(15)).until(() -> sandbox().submissions().size() == 12);
        assertThat(states("stopped-", 12)).containsOnly(SyncState.PENDING);

        assertThat(sandbox().submissions()).as("every donor taken by Virtuous exactly once").hasSize(12)
                .allSatisfy((pair, takes) -> assertThat(takes).isEqualTo(1));
        assertThat(bundle().deadLetters()).isEmpty();
        // the import creates each once
        sandbox().runBatch();
        for (int i = 1; i <= 12; i++) {
            assertThat(sandbox().contactCountForReference("PartnerPlatform", "stopped-" + i)).isEqualTo(1);
        }
    }

    /** A budget of {@code perHour} a window, all of it the bundle's, and the live worker checking ten times a second. */
    private static Map<String, String> pressure(int perHour) {
        return Map.of("virtuous.rate.limit-per-hour", String.valueOf(perHour), "virtuous.rate.max-share", "1.0", "virtuous.rate.floor", "0",
                "sync.live.max-delay", "4s", "sync.bulk.period-ms", "100");
    }

    private void post(String referenceId, boolean withEmail) throws Exception {
        SyncBundle.Response answer = bundle().post("/donors", "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Grace\",\"lastName\":\""
                + referenceId + "\"" + (withEmail ? ",\"email\":\"" + referenceId + "@example.org\"" : "") + "}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
    }

    private List<SyncState> states(String prefix, int count) throws Exception {
        List<SyncState> states = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            LedgerEntry entry = bundle().entry("PartnerPlatform", prefix + i);
            states.add(entry == null ? null : entry.state());
        }
        return states;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> livePath() throws Exception {
        return (Map<String, Object>) bundle().get("/sync/status").json().get("livePath");
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }
}
