package org.contactsync.ratelimit;

import java.time.Duration;

import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The bulk load's estimate: how long the budget makes N more calls wait, in whole windows of our share. */
class RateGovernorWaitForTest {

    private final TestClock clock = new TestClock();

    @Test
    void callsWithinWhatIsLeftOfOurShareWaitNotAtAllAndTheRestWaitForWholeWindows() throws Exception {
        RateGovernor governor = new RateGovernor(clock, 100, 0.1, 0, () -> 1);
        for (int i = 0; i < 4; i++) {
            governor.acquire("bulk");
        }

        assertThat(governor.waitFor(6)).isZero();
        assertThat(governor.waitFor(7)).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(60));
        // 6 now, then 10 a window: 21 more need the next window and two after it
        assertThat(governor.waitFor(27)).isBetween(Duration.ofMinutes(179), Duration.ofMinutes(180));
    }

    @Test
    void theOrganisationsFloorLimitsEachWindowToo() {
        RateGovernor governor = new RateGovernor(clock, 100, 1.0, 95, () -> 1);

        assertThat(governor.waitFor(5)).isZero();
        assertThat(governor.waitFor(11)).isBetween(Duration.ofMinutes(119), Duration.ofMinutes(120));
    }
}
