package org.contactsync.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** The bundle's clock in tests: real time, plus however far the test has moved it forward. */
public final class TestClock extends Clock {

    private volatile Duration offset = Duration.ZERO;

    public void advance(Duration duration) {
        offset = offset.plus(duration);
    }

    /**
     * Moves to a minute into the next clock hour. The sandbox's rate windows are clock hours: a test that spends the
     * budget and then expects calls to wait starts here, so the wall clock reaching the hour cannot end the wait early.
     */
    public void advanceIntoNextHour() {
        Instant now = instant();
        advance(Duration.between(now, now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(61))));
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the bundle works in UTC");
    }
}
