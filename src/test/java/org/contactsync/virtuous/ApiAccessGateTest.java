package org.contactsync.virtuous;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ApiAccessGateTest {

    private static final DefaultCamelContext CONTEXT = new DefaultCamelContext();
    /** A thread per caller: the common pool may have a single thread, and callers here block. */
    private static final ExecutorService CALLERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "gate-caller");
        thread.setDaemon(true);
        return thread;
    });
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(60);
    private static final Duration OPEN_FOR = Duration.ofSeconds(30);

    static {
        CONTEXT.start();
    }

    private final TestClock clock = new TestClock();
    private final ApiAccessGate gate = new ApiAccessGate(clock, PROBE_INTERVAL.toMillis(), 3, OPEN_FOR.toMillis(), () -> true);

    @Test
    void aRefusedKeyHoldsEveryCallerUntilOneProbeIsAccepted() throws Exception {
        assertThat(gate.observe(answer(401))).as("the refused request is sent again").isTrue();
        assertThat(gate.status()).containsEntry("state", "KEY_REFUSED");
        assertThat((String) gate.status().get("reason")).contains("401", "VIRTUOUS_API_KEY");

        Exchange first = exchange();
        Exchange second = exchange();
        CompletableFuture<Exchange> firstPassed = acquire(first);
        CompletableFuture<Exchange> secondPassed = acquire(second);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !firstPassed.isDone() && !secondPassed.isDone());

        clock.advance(PROBE_INTERVAL);
        Exchange probe = CompletableFuture.anyOf(firstPassed, secondPassed).thenApply(Exchange.class::cast).get(5, TimeUnit.SECONDS);
        CompletableFuture<Exchange> other = probe == first ? secondPassed : firstPassed;
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !other.isDone());

        assertThat(gate.observe(answered(probe, 200))).isFalse();
        other.get(5, TimeUnit.SECONDS);
        assertThat(gate.isUsable()).isTrue();
        assertThat(gate.status()).containsEntry("state", "USABLE").doesNotContainKey("reason");
    }

    @Test
    void aProbeRefusedAgainWaitsAnotherInterval() throws Exception {
        gate.observe(answer(401));
        clock.advance(PROBE_INTERVAL);
        Exchange probe = acquire(exchange()).get(5, TimeUnit.SECONDS);

        assertThat(gate.observe(answered(probe, 401))).isTrue();
        CompletableFuture<Exchange> next = acquire(exchange());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !next.isDone());
        clock.advance(PROBE_INTERVAL);

        next.get(5, TimeUnit.SECONDS);
        assertThat(gate.status()).containsEntry("state", "KEY_REFUSED");
    }

    @Test
    void aForbiddenKeyNamesThePermissionGroup() {
        assertThat(gate.observe(answer(403))).isTrue();

        assertThat((String) gate.status().get("reason")).contains("403", "permission group");
    }

    @Test
    void anAnswerToARequestSentBeforeTheKeyWasRefusedDoesNotReopen() {
        Exchange inFlight = exchange();
        gate.observe(answer(401));

        gate.observe(answered(inFlight, 200));

        assertThat(gate.isUsable()).isFalse();
    }

    @Test
    void a429ToTheProbeLetsTheNextCallerProbe() throws Exception {
        gate.observe(answer(401));
        clock.advance(PROBE_INTERVAL);
        Exchange probe = acquire(exchange()).get(5, TimeUnit.SECONDS);

        assertThat(gate.observe(answered(probe, 429))).isFalse();

        acquire(exchange()).get(5, TimeUnit.SECONDS);
        assertThat(gate.status()).containsEntry("state", "KEY_REFUSED");
    }

    @Test
    void theCircuitOpensOnlyAfterTheThresholdOfFailuresInARow() throws Exception {
        gate.observe(answer(503));
        gate.observe(answer(500));
        gate.observe(answer(422));
        gate.observe(answer(502));
        gate.unanswered(exchange(), new IllegalStateException("not a connection problem"));
        gate.observe(answer(408));
        assertThat(gate.isUsable()).as("a 4xx answer in between resets the count").isTrue();

        gate.unanswered(exchange(), new SocketTimeoutException("Read timed out"));

        assertThat(gate.status()).containsEntry("state", "CIRCUIT_OPEN").containsEntry("consecutiveFailures", 3);
        assertThat((String) gate.status().get("reason")).contains("3 times in a row", "SocketTimeoutException");
        CompletableFuture<Exchange> waiting = acquire(exchange());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
    }

    @Test
    void aFailedProbeKeepsTheCircuitOpenAndASuccessfulOneClosesIt() throws Exception {
        for (int i = 0; i < 3; i++) {
            gate.observe(answer(503));
        }
        clock.advance(OPEN_FOR);
        Exchange probe = acquire(exchange()).get(5, TimeUnit.SECONDS);
        gate.unanswered(probe, new IOException("Connection reset"));
        CompletableFuture<Exchange> next = acquire(exchange());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !next.isDone());

        clock.advance(OPEN_FOR);
        Exchange secondProbe = next.get(5, TimeUnit.SECONDS);
        gate.observe(answered(secondProbe, 404));

        assertThat(gate.status()).containsEntry("state", "USABLE").containsEntry("consecutiveFailures", 0);
    }

    @Test
    void aRefusedKeyWhileTheCircuitIsOpenIsReportedAsTheKey() {
        for (int i = 0; i < 3; i++) {
            gate.observe(answer(500));
        }

        gate.observe(answer(401));

        assertThat(gate.status()).containsEntry("state", "KEY_REFUSED");
    }

    private CompletableFuture<Exchange> acquire(Exchange exchange) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                gate.acquire(exchange);
                return exchange;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, CALLERS);
    }

    private static Exchange exchange() {
        return new DefaultExchange(CONTEXT);
    }

    private static Exchange answer(int status) {
        return answered(exchange(), status);
    }

    private static Exchange answered(Exchange exchange, int status) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return exchange;
    }
}
