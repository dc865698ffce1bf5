package org.contactsync.virtuous;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;

/**
 * Readiness of the bundle's access to Virtuous: DOWN, with the reason, while there is no API key, Virtuous refuses it
 * (401, 403), or the circuit breaker is open because Virtuous cannot be reached or keeps failing: in each, no donor
 * reaches Virtuous, and an orchestrator or an operator should see it. Donors sent meanwhile are still recorded and
 * wait. Never a liveness check: restarting the bundle fixes none of these.
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
        if (ApiAccessGate.State.USABLE.name().equals(status.get("state"))) {
            builder.up();
        } else {
            builder.message((String) status.get("reason")).down();
        }
    }
}
