package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With a small organisation budget, every call goes through the rate governor: work waits, nothing is dropped, no 429 reaches a route. */
class RateBudgetTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private final TestClock clock = new TestClock();
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private SyncBundle bundle;

    @AfterEach
    void stop() {
        bundle.close();
        sandbox.stop();
    }

    @Test
    void aRunNeedingMoreCallsThanTheBudgetWaitsForTheNextWindowAndLosesNoDonor() throws Exception {
        start(12, "1.0", "0");
        for (int i = 1; i <= 10; i++) {
            bundle.post("/donors", "{\"referenceId\":\"budget-" + i + "\",\"firstName\":\"Donor\",\"lastName\":\"Number" + i + "\"}");
        }
        // each new donor costs a Find and a Transaction: 20 calls, 12 in this window
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting() > 0 && sandbox.requests().size() == 12);

        clock.advance(Duration.ofHours(1));

        for (int i = 1; i <= 10; i++) {
            bundle.awaitState("PartnerPlatform", "budget-" + i, SyncState.PENDING);
        }
        assertThat(sandbox.requests()).hasSize(20).noneMatch(request -> request.status() == 429);
        assertThat(bundle.deadLetters()).isEmpty();
    }

    @Test
    void a429CausedByAnotherIntegrationIsWaitedOutAndTheDonorStillSyncs() throws Exception {
        start(3, "1.0", "0");
        // another integration of the organisation spends the whole budget
        for (int i = 0; i < 3; i++) {
            HTTP.send(HttpRequest.newBuilder(URI.create(sandbox.getBaseUrl() + "/api/Contact/Types"))
                    .header("Authorization", "Bearer " + sandbox.getApiKey()).build(), HttpResponse.BodyHandlers.discarding());
        }

        bundle.post("/donors", "{\"referenceId\":\"after-429\",\"firstName\":\"Edith\",\"lastName\":\"Clarke\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.requests().stream().anyMatch(request -> request.status() == 429));
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting() > 0);
        clock.advance(Duration.ofHours(1));

        bundle.awaitState("PartnerPlatform", "after-429", SyncState.PENDING);
        assertThat(bundle.deadLetters()).isEmpty();
        assertThat(governor().status()).containsEntry("rateLimited", 1L);
    }

    private void start(int budgetPerHour, String maxShare, String floor) throws Exception {
        sandbox.setPort(0);
        sandbox.setClock(clock);
        sandbox.setRateLimitPerHour(budgetPerHour);
        sandbox.start();
        bundle = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(),
                Map.of("virtuous.rate.max-share", maxShare, "virtuous.rate.floor", floor), clock);
    }

    private RateGovernor governor() {
        return bundle.context().getRegistry().lookupByNameAndType("rateGovernor", RateGovernor.class);
    }

    @SuppressWarnings("unchecked")
    private int waiting() {
        return ((Map<Object, Integer>) governor().status().get("waiting")).values().stream().mapToInt(Integer::intValue).sum();
    }
}
