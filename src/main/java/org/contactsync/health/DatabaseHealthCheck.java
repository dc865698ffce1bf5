package org.contactsync.health;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness DOWN while the ledger's database cannot be reached: no donor can be accepted then (intake answers 500, so
 * the platform sends it again) and no state can move. Never liveness: restarting the bundle does not bring the database back.
 */
public class DatabaseHealthCheck extends ReadinessCheck {

    private static final int VALIDATION_TIMEOUT_SECONDS = 2;

    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("sync-database");
        this.dataSource = dataSource;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                builder.up();
            } else {
                builder.message("the sync database did not answer within " + VALIDATION_TIMEOUT_SECONDS + " s").down();
            }
        } catch (SQLException e) {
            // the driver's message names the host and the cause, never the password
            builder.message("the sync database cannot be reached: " + e.getMessage()).error(e).down();
        }
    }
}
