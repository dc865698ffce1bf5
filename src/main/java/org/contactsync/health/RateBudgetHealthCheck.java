package org.contactsync.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.ratelimit.RateGovernor;

/**
 * Readiness DOWN while the rate governor holds every Virtuous call for longer than {@code sync.health.budget-wait-max}:
 * donors are still accepted and recorded, but nothing reaches Virtuous until the window turns, which an operator should
 * see (another integration may be spending the organisation's budget). A short hold near the end of a window is normal
 * and stays UP. Never liveness: a restart does not bring budget back.
 */
public class RateBudgetHealthCheck extends ReadinessCheck {

    private final RateGovernor governor;
    private final Clock clock;
    private final Duration longestHold;

    public RateBudgetHealthCheck(RateGovernor governor, Clock clock, Duration budgetWaitMax) {
        super("virtuous-rate-budget");
        this.governor = governor;
        this.clock = clock;
        this.longestHold = budgetWaitMax;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> budget = governor.status();
        builder.details(budget);
        Instant heldUntil = governor.heldUntil();
        Duration hold = heldUntil == null ? Duration.ZERO : Duration.between(clock.instant(), heldUntil);
        if (hold.compareTo(longestHold) > 0) {
            builder.message("Virtuous rate budget exhausted: every call waits until " + heldUntil + " (" + hold.toMinutes()
                    + " min); this window we spent " + budget.get("spentThisWindow") + " of our share of " + budget.get("ourShare")
                    + ", the organisation has " + budget.get("remaining") + " of " + budget.get("limit") + " left (floor "
                    + budget.get("floor") + "). Donors are recorded and wait; nothing is lost.").down();
        } else {
            builder.up();
        }
    }
}
