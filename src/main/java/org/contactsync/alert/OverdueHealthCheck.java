package org.contactsync.alert;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.contactsync.health.ReadinessCheck;
import org.springframework.dao.DataAccessException;

/**
 * Readiness detail {@code pending-overdue}: a warning while donors wait for Virtuous longer than
 * {@code sync.pending.warn-after}, always UP, since the bundle works on and a restart changes nothing; the deadline is
 * still ahead, and a person can act on Virtuous's import before it passes.
 */
public class OverdueHealthCheck extends ReadinessCheck {

    private final OverdueAlerts alerts;

    public OverdueHealthCheck(OverdueAlerts alerts) {
        super("pending-overdue");
        this.alerts = alerts;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            Map<String, Object> view = alerts.view();
            builder.details(view);
            long count = (Long) view.get("count");
            if (count > 0) {
                builder.message("warning: " + alerts.warning(count));
            }
        } catch (DataAccessException databaseAway) {
            // the overdue donors are counted in the database, whose own check says it is away (a failed check's
            // details would carry the exception, which the readiness answer cannot show)
            builder.message("overdue donors unknown while the database does not answer");
        }
        builder.up();
    }
}
