package org.contactsync;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import javax.sql.DataSource;

import org.contactsync.ledger.ReferencePair;
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
 * A donor waiting for API budget far longer than its claim's lease keeps its claim: the node renews it while it works
 * on the donor, so no other consumer or node takes it over, and it is submitted once when the budget returns.
 */
class ClaimHeartbeatTest {

    private static final ReferencePair WAITING = new ReferencePair("PartnerPlatform", "hb-2");

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().sandbox((sandbox, clock) -> sandbox.setClock(clock)).startedByTest();

    @Test
    void aDonorWaitingForBudgetLongerThanTheLeaseKeepsItsClaimAndIsSubmittedOnce() throws Exception {
        clock().advanceIntoNextHour();
        // the first donor's Find and Transaction spend the window's budget: the second waits at its Find
        sandbox().setRateLimitPerHour(2);
        fixture.start(Map.of(
                "virtuous.rate.max-share", "1.0", "virtuous.rate.floor", "0",
                "sync.claim-lease-seconds", "300", "sync.claim-renew-ms", "100", "sync.redrive.period-ms", "100",
                // a donor one by one waiting for budget: the live path never coalesces here (LiveCoalescingTest covers it)
                "sync.live.max-delay", "1000d"));
        bundle().post("/donors", "{\"referenceId\":\"hb-1\",\"firstName\":\"Katherine\",\"lastName\":\"Johnson\"}");
        bundle().awaitState("PartnerPlatform", "hb-1", SyncState.PENDING);
        bundle().post("/donors", "{\"referenceId\":\"hb-2\",\"firstName\":\"Dorothy\",\"lastName\":\"Vaughan\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting() > 0);

        // twice the lease passes, still within the rate window, in steps the heartbeat keeps up with as real time would
        for (int step = 0; step < 5; step++) {
            clock().advance(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(20)).until(this::claimedUntil, until -> until.isAfter(OffsetDateTime.now(clock()).plusMinutes(4)));
        }

        assertThat(bundle().claims().claim(WAITING, "another-exchange", false)).as("held by the node waiting with it").isNull();
        clock().advance(Duration.ofHours(1));
        bundle().awaitState("PartnerPlatform", "hb-2", SyncState.PENDING);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
        assertThat(bundle().entry("PartnerPlatform", "hb-2").attempts()).as("claimed once").isEqualTo(1);
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

    private OffsetDateTime claimedUntil() throws Exception {
        DataSource database = bundle().bean("database", DataSource.class);
        try (Connection c = database.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT claimed_until FROM sync_ledger WHERE reference_source = ? AND reference_id = ?")) {
            query.setString(1, WAITING.referenceSource());
            query.setString(2, WAITING.referenceId());
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getObject(1, OffsetDateTime.class);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private int waiting() {
        RateGovernor governor = bundle().bean("rate-governor", RateGovernor.class);
        return ((Map<Object, Integer>) governor.status().get("waiting")).values().stream().mapToInt(Integer::intValue).sum();
    }
}
