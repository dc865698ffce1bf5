package org.contactsync.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.IntSupplier;
import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes sharing the database. Each announces itself on every claim heartbeat; a node not heard from for three
 * heartbeats (stopped or crashed) is taken for gone. The count is what the rate governor divides the bundle's budget share by, read from
 * memory (it asks on every call), so it is as fresh as the last heartbeat.
 */
public class ClusterMembers implements IntSupplier {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.cluster");

    private final DataSource dataSource;
    private final ClusterNode node;
    private final Clock clock;
    private final Duration silence;
    private volatile int live = 1;

    public ClusterMembers(DataSource dataSource, ClusterNode node, Clock clock, long heartbeatMillis) {
        this.dataSource = dataSource;
        this.node = node;
        this.clock = clock;
        this.silence = Duration.ofMillis(heartbeatMillis).multipliedBy(3);
    }

    /** Records that this node is alive and counts the nodes that are. */
    public void beat() throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement update = c.prepareStatement("UPDATE cluster_node SET seen_at = ? WHERE name = ?")) {
                update.setObject(1, now);
                update.setString(2, node.name());
                if (update.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO cluster_node (name, seen_at) VALUES (?, ?)")) {
                        insert.setString(1, node.name());
                        insert.setObject(2, now);
                        insert.executeUpdate();
                    }
                }
            }
            // gone for a day: a node that crashed, which left its row behind
            try (PreparedStatement forget = c.prepareStatement("DELETE FROM cluster_node WHERE seen_at < ?")) {
                forget.setObject(1, now.minusDays(1));
                forget.executeUpdate();
            }
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM cluster_node WHERE seen_at >= ? OR name = ?")) {
                count.setObject(1, now.minus(silence));
                count.setString(2, node.name());
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    int counted = row.getInt(1);
                    if (counted != live) {
                        LOG.info("{} node(s) share the database; each spends 1/{} of the bundle's API budget share", counted, counted);
                        live = counted;
                    }
                }
            }
        }
    }

    /** The live nodes, this one included, as of the last heartbeat. */
    @Override
    public int getAsInt() {
        return live;
    }
}
