package org.contactsync.cluster;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;

import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.SyncDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

/**
 * Runs a schedule once per fire time across every node sharing the database. Each node's Quartz fires on the same cron,
 * so each asks with the same scheduled fire time; the first to record it runs, the others skip. A node that is down
 * simply does not ask, so the schedule runs as long as one node is up; a single node always runs.
 */
public class ScheduleRuns {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.cluster");

    private final SyncDatabase database;
    private final ClusterNode node;
    private final Clock clock;

    public ScheduleRuns(SyncDatabase database, ClusterNode node, Clock clock) {
        this.database = database;
        this.node = node;
        this.clock = clock;
    }

    /** Whether this node runs {@code schedule} for {@code scheduledFireTime} (Quartz's header); false when another does. */
    public boolean claim(String schedule, Date scheduledFireTime) {
        OffsetDateTime fireTime = scheduledFireTime.toInstant().atOffset(ZoneOffset.UTC);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        if (database.jdbc().update("UPDATE schedule_run SET fire_time = ?, node = ?, ran_at = ? WHERE name = ? AND fire_time < ?",
                fireTime, node.name(), now, schedule, fireTime) == 1) {
            return true;
        }
        try {
            database.jdbc().update("INSERT INTO schedule_run (name, fire_time, node, ran_at) VALUES (?, ?, ?, ?)", schedule, fireTime,
                    node.name(), now);
            return true;
        } catch (DuplicateKeyException e) {
            LOG.debug("{} at {}: another node runs it", schedule, fireTime);
            return false;
        }
    }
}
