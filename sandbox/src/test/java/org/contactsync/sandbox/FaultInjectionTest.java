package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Faults tests plan at runtime: failures, throttling, resets, timeouts and latency, each for the next requests; and
 * random faults from a seed.
 */
class FaultInjectionTest {

    private static final Map<String, Object> DONOR = Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada");

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() {
        sandbox.setRateLimitPerHour(100);
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void plannedFailuresAnswerInsteadOfTheApiAndSpendNoBudget() {
        sandbox.failNext(2, 503);

        HttpResponse<String> first = http.postJson("/api/Contact/Transaction", DONOR);
        HttpResponse<String> second = http.postJson("/api/Contact/Transaction", DONOR);
        HttpResponse<String> third = http.postJson("/api/Contact/Transaction", DONOR);

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(SandboxHttp.object(first)).isEqualTo(Map.of("message", "The service is unavailable."));
        assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("100");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(third.headers().firstValue("X-RateLimit-Remaining")).hasValue("99");
        assertThat(sandbox.heldTransactions()).hasSize(1);
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(503, 503, 200);
    }

    @Test
    void faultsAreServedInTheOrderTheyWerePlanned() {
        sandbox.failNext(1, 401);
        sandbox.throttleNext(1, 7);
        sandbox.failNext(1, 500);

        HttpResponse<String> unauthorized = http.get("/api/Contact/Types");
        HttpResponse<String> throttled = http.get("/api/Contact/Types");
        HttpResponse<String> broken = http.get("/api/Contact/Types");

        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(SandboxHttp.object(throttled)).isEqualTo(Map.of("message", "Rate limit exceeded. Retry after 7 seconds."));
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(http.get("/api/Contact/Types").statusCode()).isEqualTo(200);
    }

    @Test
    void onlyCredentialAndServerFailuresCanBePlanned() {
        assertThatThrownBy(() -> sandbox.failNext(1, 429)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("throttleNext");
        assertThatThrownBy(() -> sandbox.failNext(1, 404)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resetConnectionIsClosedUnansweredAndUnhandled() {
        sandbox.resetNextConnections(1);

        assertThatThrownBy(() -> client.send(authorized("/api/Contact/Transaction").POST(HttpRequest.BodyPublishers.ofString(
                SandboxHttp.JSON.writeValueAsString(DONOR))).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);

        assertThat(sandbox.heldTransactions()).isEmpty();
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(0);
        assertThat(http.get("/api/Contact/Types").statusCode()).isEqualTo(200);
    }

    @Test
    void timedOutRequestIsHandledButNeverAnsweredAndHoldsUpNobodyElse() throws Exception {
        sandbox.timeOutNext(9, Duration.ofSeconds(30));
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            held.add(client.sendAsync(authorized("/api/Contact/Transaction").timeout(Duration.ofMillis(500))
                    .POST(HttpRequest.BodyPublishers.ofString(SandboxHttp.JSON.writeValueAsString(
                            Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-" + i, "name", "Donor")))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> request : held) {
            assertThat(request).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(Exception.class)
                    .withCauseInstanceOf(HttpTimeoutException.class);
        }

        HttpResponse<String> next = client.send(authorized("/api/Contact/Types").timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(next.statusCode()).as("more held requests than HTTP threads, and still answered").isEqualTo(200);
        assertThat(sandbox.heldTransactions()).as("each timed-out write took effect").hasSize(9);
        assertThat(sandbox.requestCount("POST", "/api/Contact/Transaction")).isEqualTo(9);
    }

    @Test
    void randomFaultsFollowTheirSeedAndTheAfterHandlingOnesTakeEffect() {
        sandbox.setRateLimitPerHour(10_000);
        List<Integer> first = randomRun(7);
        Map<String, Integer> firstFaults = Map.copyOf(sandbox.faultsServed());
        int firstTaken = sandbox.submissions().size();
        sandbox.stop();
        VirtuousSandbox again = new VirtuousSandbox();
        again.setRateLimitPerHour(10_000);
        again.start();
        try {
            SandboxHttp againHttp = new SandboxHttp(again);
            again.setRandomFaults(0.5, 7, Duration.ofMillis(600));
            for (int i = 0; i < 40; i++) {
                statusOrZero(againHttp, again, i);
            }
            // what the sandbox served, not what the client saw: on a loaded machine a plain answer can outlast the
            // client's timeout too
            assertThat(again.faultsServed()).as("the same seed serves the same faults").isEqualTo(firstFaults);
        } finally {
            again.stop();
        }
        assertThat(first).contains(0, 200, 500, 503);
        int taken = firstTaken;
        long answered200 = first.stream().filter(status -> status == 200).count();
        long after500 = first.stream().filter(status -> status == 500).count();
        assertThat(taken).as("every 200 and every 500 after handling took its Transaction, and so did each withheld answer")
                .isGreaterThanOrEqualTo((int) (answered200 + after500));
        assertThat(sandbox.faultsServed()).containsKeys("reset", "status 503 before handling", "status 500 after handling",
                "answer withheld after handling");
    }

    @Test
    void plannedFaultsComeBeforeRandomOnes() {
        sandbox.setRandomFaults(1.0, 3, Duration.ofMillis(100));
        sandbox.throttleNext(1, 9);

        assertThat(http.get("/api/Contact/Types").statusCode()).isEqualTo(429);
        sandbox.setRandomFaults(0, 3, Duration.ZERO);
        assertThat(http.get("/api/Contact/Types").statusCode()).isEqualTo(200);
    }

    /** 40 Transactions under random faults at rate 0.5: each one's status, 0 for no answer. */
    private List<Integer> randomRun(long seed) {
        sandbox.setRandomFaults(0.5, seed, Duration.ofMillis(600));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            statuses.add(statusOrZero(http, sandbox, i));
        }
        return statuses;
    }

    private int statusOrZero(SandboxHttp on, VirtuousSandbox target, int donor) {
        try {
            return client.send(on.request("/api/Contact/Transaction").header("Authorization", "Bearer " + target.getApiKey())
                    .header("Content-Type", "application/json").timeout(Duration.ofMillis(300))
                    .POST(HttpRequest.BodyPublishers.ofString(SandboxHttp.JSON.writeValueAsString(
                            Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-" + donor, "name", "Donor")))).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException noAnswer) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void latencyDelaysEveryAnswer() {
        sandbox.setLatencyMillis(300);

        long started = System.nanoTime();
        HttpResponse<String> answered = http.get("/api/Contact/Types");

        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    private HttpRequest.Builder authorized(String path) {
        return http.request(path).header("Authorization", "Bearer " + sandbox.getApiKey()).header("Content-Type", "application/json");
    }
}
