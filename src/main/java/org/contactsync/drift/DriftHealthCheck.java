package org.contactsync.drift;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;
import org.springframework.dao.DataAccessException;

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
        List<DriftGuard.Drift> drifts = guard.drifts();
        Object held;
        try {
            Map<String, Object> view = guard.view();
            builder.details(view);
            held = view.get("heldDonors");
            if (drifts.isEmpty() && !((Map<?, ?>) view.get("unreadable")).isEmpty()) {
                builder.message("organisation check incomplete: " + view.get("unreadable"));
            }
        } catch (DataAccessException databaseAway) {
            // the held donors are counted in the database, whose own check says it is away; the drift is still known
            held = "an unknown number of";
        }
        if (!drifts.isEmpty()) {
            builder.message("organisation drift: " + drifts.stream().map(DriftGuard.Drift::message).collect(Collectors.joining("; "))
                    + "; " + held + " donor(s) held until the organisation has these values again, the others flow");
        }
        builder.up();
    }
}
