package org.contactsync.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import javax.sql.DataSource;

import org.contactsync.ledger.SyncDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a schedule once per fire time across every node sharing the database. Each node's Quartz fires on the same cron,
 * so each asks with the same scheduled fire time; the first to record it runs, the others skip. A node that is down
 * simply does not ask, so the schedule runs as long as one node is up; a single node always runs.
 */
public class ScheduleRuns {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.cluster");

    private final DataSource dataSource;
    private final ClusterNode node;
    private final Clock clock;

    public ScheduleRuns(DataSource dataSource, ClusterNode node, Clock clock) {
        this.dataSource = dataSource;
        this.node = node;
        this.clock = clock;
    }

    /** Whether this node runs {@code schedule} for {@code scheduledFireTime} (Quartz's header); false when another does. */
    public boolean claim(String schedule, Date scheduledFireTime) throws SQLException {
        OffsetDateTime fireTime = scheduledFireTime.toInstant().atOffset(ZoneOffset.UTC);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement update = c.prepareStatement("UPDATE schedule_run SET fire_time = ?, node = ?, ran_at = ? "
                    + "WHERE name = ? AND fire_time < ?")) {
                update.setObject(1, fireTime);
                update.setString(2, node.name());
                update.setObject(3, now);
                update.setString(4, schedule);
                update.setObject(5, fireTime);
                if (update.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO schedule_run (name, fire_time, node, ran_at) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, schedule);
                insert.setObject(2, fireTime);
                insert.setString(3, node.name());
                insert.setObject(4, now);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (!SyncDatabase.isDuplicateKey(e)) {
                    throw e;
                }
                LOG.debug("{} at {}: another node runs it", schedule, fireTime);
                return false;
            }
        }
    }
}
