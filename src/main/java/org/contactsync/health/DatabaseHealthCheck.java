package org.contactsync.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness DOWN while the ledger's database cannot be reached: no donor can be accepted then (intake answers 500, so
 * the platform sends it again) and no state can move. Never liveness: restarting the bundle does not bring the database
 * back. Each change between reachable and not is one log line, however often readiness is asked.
 */
public class DatabaseHealthCheck extends ReadinessCheck {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");
    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;
    /** The start reached the database, or it would not have got here. */
    private boolean reachable = true;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("sync-database");
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                changed(true, null);
                builder.up();
            } else {
                String reason = "the sync database did not answer within " + VALIDATION_TIMEOUT_SECONDS + " s";
                changed(false, reason);
                builder.message(reason).down();
            }
        } catch (SQLException e) {
            // the driver's message names the host and the cause, never the password
            String reason = "the sync database cannot be reached: " + e.getMessage();
            changed(false, reason);
            builder.message(reason).error(e).down();
        }
    }

    private synchronized void changed(boolean now, String reason) {
        if (now != reachable) {
            reachable = now;
            if (now) {
                LOG.info("the sync database answers again: readiness UP");
            } else {
                LOG.warn("{}: readiness DOWN; donors sent meanwhile are refused with a 500 the platform retries", reason);
            }
        }
    }
}
