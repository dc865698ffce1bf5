package org.contactsync.health;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;

/**
 * {@code GET /sync/health}: the readiness of every check (the bundle's own: Virtuous access, database, rate budget; and
 * Camel's: context, routes, consumers) with each one's reason, on the bundle's main port, for a load balancer or a
 * container health check that cannot reach the management port. Same checks as {@code /observe/health/ready}.
 */
public class SyncHealth {

    public Map<String, Object> readiness(CamelContext camelContext) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = true;
        for (HealthCheck.Result result : HealthCheckHelper.invokeReadiness(camelContext)) {
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("state", result.getState().name());
            result.getMessage().ifPresent(message -> check.put("message", message));
            if (!result.getDetails().isEmpty() && result.getCheck().getGroup() != null
                    && result.getCheck().getGroup().equals("contact-sync")) {
                check.put("details", result.getDetails());
            }
            checks.put(result.getCheck().getId(), check);
            up &= result.getState() == HealthCheck.State.UP;
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("status", up ? "UP" : "DOWN");
        view.put("checks", checks);
        return view;
    }
}
