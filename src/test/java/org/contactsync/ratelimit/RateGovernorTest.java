package org.contactsync.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RateGovernorTest {

    /** Started: its messages hold headers case-insensitively, as every answer in the routes does. */
    private static final DefaultCamelContext CONTEXT = new DefaultCamelContext();

    static {
        CONTEXT.start();
    }

    private final TestClock clock = new TestClock();

    @Test
    void nodesSharingTheDatabaseSplitTheShareAndTakeItUpWhenOneLeaves() throws Exception {
        AtomicInteger nodes = new AtomicInteger(2);
        RateGovernor governor = new RateGovernor(clock, 100, 0.1, 0, nodes::get);
        for (int i = 0; i < 5; i++) {
            governor.acquire("live");
        }
        Thread sixth = start(governor, "live", new CopyOnWriteArrayList<>());

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sixth::isAlive);
        assertThat(governor.status()).containsEntry("ourShare", 5).containsEntry("nodes", 2);
        nodes.set(1);

        sixth.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(sixth.isAlive()).isFalse();
        assertThat(governor.status()).containsEntry("ourShare", 10).containsEntry("calls", 6L);
    }

    @Test
    void spendsAtMostItsShareOfTheWindowThenWaitsForTheNextOne() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 100, 0.1, 0, () -> 1);
        for (int i = 0; i < 10; i++) {
            governor.acquire("live");
        }
        Thread eleventh = start(governor, "live", new CopyOnWriteArrayList<>());

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(eleventh::isAlive);
        clock.advance(Duration.ofMinutes(61));

        eleventh.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(eleventh.isAlive()).isFalse();
        assertThat(governor.status()).containsEntry("spentThisWindow", 1).containsEntry("calls", 11L);
    }

    @Test
    void keepsTheOrganisationsFloorAsTheHeadersReportIt() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 5000, 1.0, 250, () -> 1);
        governor.observe(answer(200, Map.of("x-ratelimit-limit", "5000", "X-RATELIMIT-REMAINING", "251",
                "X-RateLimit-Reset", String.valueOf(clock.instant().plusSeconds(600).toEpochMilli()))));

        governor.acquire("live");
        Thread next = start(governor, "live", new CopyOnWriteArrayList<>());

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(next::isAlive);
        assertThat(governor.status()).containsEntry("remaining", 250).containsEntry("limit", 5000);
        assertThat((String) governor.status().get("windowEnd")).as("Reset in milliseconds")
                .startsWith(clock.instant().plusSeconds(600).toString().substring(0, 16));
        clock.advance(Duration.ofMinutes(11));
        next.join(5000);
        assertThat(next.isAlive()).isFalse();
    }

    @Test
    void a429PausesEveryCallerUntilRetryAfter() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 5000, 0.5, 0, () -> 1);

        boolean again = governor.observe(answer(429, Map.of("Retry-After", "120", "X-Rate-Limit-Remaining", "0")));
        List<String> order = new CopyOnWriteArrayList<>();
        Thread live = start(governor, "live", order);
        Thread bulk = start(governor, "bulk", order);

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> live.isAlive() && bulk.isAlive());
        clock.advance(Duration.ofSeconds(121));
        live.join(5000);
        bulk.join(5000);

        assertThat(again).isTrue();
        assertThat(order).containsExactlyInAnyOrder("live", "bulk");
        assertThat(governor.status()).containsEntry("rateLimited", 1L);
    }

    @Test
    void aLiveDonorGoesBeforeAWaitingBulkLoad() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 10, 0.1, 0, () -> 1);
        governor.acquire("live");
        List<String> order = new CopyOnWriteArrayList<>();
        Thread bulk = start(governor, "bulk", order);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(bulk::isAlive);
        Thread live = start(governor, "live", order);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(live::isAlive);

        clock.advance(Duration.ofMinutes(61));
        live.join(5000);
        assertThat(order).containsExactly("live");
        clock.advance(Duration.ofMinutes(61));
        bulk.join(5000);

        assertThat(order).containsExactly("live", "bulk");
    }

    @Test
    void whileTheShareIsShortABulkCallLeavesALiveDonorInProgressTheCallsItStillNeeds() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 100, 0.03, 0, () -> 1);
        Exchange donor = new DefaultExchange(CONTEXT);
        governor.liveDonorStarted(donor);
        governor.acquire("bulk");
        List<String> order = new CopyOnWriteArrayList<>();
        Thread secondChunk = start(governor, "bulk", order);

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(secondChunk::isAlive);
        governor.acquire("live");
        governor.acquire("live");
        donor.getExchangeExtension().handoverCompletions().forEach(completion -> completion.onComplete(donor));

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(secondChunk::isAlive);
        assertThat(governor.status()).as("the donor's two calls took the window's last two").containsEntry("spentThisWindow", 3);
        clock.advance(Duration.ofMinutes(61));
        secondChunk.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(order).containsExactly("bulk");
    }

    @Test
    void withBudgetToSpareABulkCallDoesNotWaitForLiveDonorsInProgress() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 100, 1.0, 0, () -> 1);
        for (int i = 0; i < 4; i++) {
            governor.liveDonorStarted(new DefaultExchange(CONTEXT));
        }

        governor.acquire("bulk");

        assertThat(governor.status()).containsEntry("calls", 1L);
    }

    private static Thread start(RateGovernor governor, String lane, List<String> order) {
        Thread thread = new Thread(() -> {
            try {
                governor.acquire(lane);
                order.add(lane);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        return thread;
    }

    private static Exchange answer(int status, Map<String, String> headers) {
        Exchange exchange = new DefaultExchange(CONTEXT);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        headers.forEach(exchange.getMessage()::setHeader);
        return exchange;
    }
}
