package org.contactsync.drift;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;

/**
 * Readiness names the organisation's drift: each setting and value Virtuous no longer has, and how many donors wait for
 * it. It stays UP: the other donors flow, and a restart fixes nothing; the warning is its message and details.
 */
public class DriftHealthCheck extends ReadinessCheck {

    private final DriftGuard guard;

    public DriftHealthCheck(DriftGuard guard) {
        super("virtuous-organisation-drift");
        this.guard = guard;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> view = guard.view();
        builder.details(view);
        List<DriftGuard.Drift> drifts = guard.drifts();
        if (!drifts.isEmpty()) {
            builder.message("organisation drift: " + drifts.stream().map(DriftGuard.Drift::message).collect(Collectors.joining("; "))
                    + "; " + view.get("heldDonors") + " donor(s) held until the organisation has these values again, the others flow");
        } else if (!((Map<?, ?>) view.get("unreadable")).isEmpty()) {
            builder.message("organisation check incomplete: " + view.get("unreadable"));
        }
        builder.up();
    }
}
