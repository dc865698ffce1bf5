package org.contactsync.live;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The live plan's count of new donors in the last sync.live.max-delay: per second, forgetting what is older. */
class ArrivalsTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void countsTheDonorsOfTheLastSpanAndForgetsOlderOnesAsTheirSecondsComeRound() {
        Duration span = Duration.ofSeconds(3);
        LivePlan.Arrivals arrivals = new LivePlan.Arrivals(span);
        for (int i = 0; i < 1_000; i++) {
            arrivals.add(T0.plusMillis(i));
        }
        arrivals.add(T0.plusSeconds(2));

        assertThat(arrivals.within(T0.plusSeconds(2), span)).isEqualTo(1_001);
        assertThat(arrivals.within(T0.plusSeconds(3), span)).isEqualTo(1_001);
        assertThat(arrivals.within(T0.plusSeconds(4), span)).as("the first second is out of the span").isEqualTo(1);
        // the ring's slot of T0 is reused four seconds later: the old count is not added to the new second's
        arrivals.add(T0.plusSeconds(4));
        assertThat(arrivals.within(T0.plusSeconds(4), span)).isEqualTo(2);
        assertThat(arrivals.within(T0.plusSeconds(60), span)).isZero();
    }
}
