package org.contactsync.virtuous;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;

/**
 * Readiness of the bundle's access to Virtuous: DOWN, with the reason, while Virtuous refuses the API key, since only
 * a person can fix that. An open circuit breaker stays UP with its details: the outage is Virtuous's, it heals on its
 * own, and intake keeps recording donors meanwhile. Never a liveness check: restarting the bundle fixes neither.
 */
public class ApiAccessHealthCheck extends ReadinessCheck {

    private final ApiAccessGate gate;

    public ApiAccessHealthCheck(ApiAccessGate gate) {
        super("virtuous-access");
        this.gate = gate;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> status = gate.status();
        builder.details(status);
        if (ApiAccessGate.State.KEY_REFUSED.name().equals(status.get("state"))) {
            builder.message((String) status.get("reason")).down();
        } else {
            builder.up();
        }
    }
}
