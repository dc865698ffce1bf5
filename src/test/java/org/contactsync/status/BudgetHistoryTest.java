package org.contactsync.status;

import java.time.Duration;
import java.util.Map;

import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BudgetHistoryTest {

    @Test
    void keepsTheNewestSamplesOfWhatTheGovernorHasLeftForUs() throws Exception {
        TestClock clock = new TestClock();
        RateGovernor governor = new RateGovernor(clock, 1000, 0.1, 50, () -> 1);
        BudgetHistory history = new BudgetHistory(governor, clock, 3);

        for (int i = 0; i < 5; i++) {
            governor.acquire("live");
            history.sample();
            clock.advance(Duration.ofMinutes(1));
        }

        assertThat(history.samples()).extracting(sample -> sample.get("leftForUs")).containsExactly(97, 96, 95);
        Map<String, Object> newest = history.samples().get(2);
        assertThat(newest).containsEntry("ourShare", 100).containsEntry("remaining", 995);
    }
}
