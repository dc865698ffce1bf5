package org.contactsync.virtuous;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;

/**
 * Readiness of the bundle's access to Virtuous: DOWN, with the reason, while there is no API key, Virtuous refuses it
 * (401, 403), or no connection to it can be made: each needs a person (a key, a permission, the base URL or the
 * network), and donors sent meanwhile are recorded and wait. A circuit breaker opened by Virtuous's own errors (5xx)
 * stays UP with its details: that outage heals on its own, and intake goes on. Never a liveness check: restarting the
 * bundle fixes none of these.
 */
public class ApiAccessHealthCheck extends ReadinessCheck {

    private final ApiAccessGate gate;

    public ApiAccessHealthCheck(ApiAccessGate gate) {
        super("virtuous-access");
        this.gate = gate;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.details(gate.status());
        gate.readinessProblem().ifPresentOrElse(problem -> builder.message(problem).down(), builder::up);
    }
}
