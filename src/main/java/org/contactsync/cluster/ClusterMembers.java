package org.contactsync.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.function.IntSupplier;

import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.SyncDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes sharing the database. Each announces itself on every claim heartbeat; a node not heard from for three
 * heartbeats (stopped or crashed) is taken for gone. The count is what the rate governor divides the bundle's budget share by, read from
 * memory (it asks on every call), so it is as fresh as the last heartbeat.
 */
public class ClusterMembers implements IntSupplier {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.cluster");

    private final SyncDatabase database;
    private final ClusterNode node;
    private final Clock clock;
    private final Duration silence;
    private volatile int live = 1;

    public ClusterMembers(SyncDatabase database, ClusterNode node, Clock clock, long heartbeatMillis) {
        this.database = database;
        this.node = node;
        this.clock = clock;
        this.silence = Duration.ofMillis(heartbeatMillis).multipliedBy(3);
    }

    /** Records that this node is alive and counts the nodes that are. */
    public void beat() {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        if (database.jdbc().update("UPDATE cluster_node SET seen_at = ? WHERE name = ?", now, node.name()) == 0) {
            database.jdbc().update("INSERT INTO cluster_node (name, seen_at) VALUES (?, ?)", node.name(), now);
        }
        // gone for a day: a node that crashed, which left its row behind
        database.jdbc().update("DELETE FROM cluster_node WHERE seen_at < ?", now.minusDays(1));
        int counted = database.jdbc().queryForObject("SELECT COUNT(*) FROM cluster_node WHERE seen_at >= ? OR name = ?", Integer.class,
                now.minus(silence), node.name());
        if (counted != live) {
            LOG.info("{} node(s) share the database; each spends 1/{} of the bundle's API budget share", counted, counted);
            live = counted;
        }
    }

    /** The live nodes, this one included, as of the last heartbeat. */
    @Override
    public int getAsInt() {
        return live;
    }
}
