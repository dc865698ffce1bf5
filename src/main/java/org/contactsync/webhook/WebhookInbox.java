package org.contactsync.webhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import org.contactsync.cluster.ClusterNode;
import org.contactsync.ledger.SyncDatabase;

/**
 * Contact events whose reference pairs have to be read from Virtuous ({@code GET /api/Contact/{id}}). The receiver
 * stores them here and answers Virtuous at once, since a read can wait an hour for API budget; the reader takes them in
 * the poll lane, after live donors, and removes each once its confirmations reached the aggregator. In the database, so
 * a restart loses none; one row per Contact, so repeated deliveries of one Contact cost one read. A node claims the rows
 * it reads for a lease, so nodes sharing the database read each once; a crashed node's rows are read after the lease.
 */
public class WebhookInbox {


    private final DataSource dataSource;
    private final ClusterNode node;
    private final Clock clock;
    private final Duration lease;

    public WebhookInbox(DataSource dataSource, ClusterNode node, Clock clock, long leaseSeconds) {
        this.dataSource = dataSource;
        this.node = node;
        this.clock = clock;
        this.lease = Duration.ofSeconds(leaseSeconds);
    }

    /** Stores the event; a Contact already waiting keeps its row, and takes the merge when this event reports one. */
    public void hold(ContactEvent event) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO webhook_inbox (contact_id, resolved_by, merged_into_contact_id, "
                    + "received_at) VALUES (?, ?, ?, ?)")) {
                insert.setLong(1, event.contactId());
                insert.setString(2, event.resolvedBy());
                setNullable(insert, 3, event.mergedIntoContactId());
                insert.setObject(4, now());
                insert.executeUpdate();
            } catch (SQLException e) {
                if (!SyncDatabase.isDuplicateKey(e)) {
                    throw e;
                }
                if (event.mergedIntoContactId() != null) {
                    try (PreparedStatement merge = c.prepareStatement("UPDATE webhook_inbox SET merged_into_contact_id = ? WHERE contact_id = ?")) {
                        merge.setLong(1, event.mergedIntoContactId());
                        merge.setLong(2, event.contactId());
                        merge.executeUpdate();
                    }
                }
            }
        }
    }

    /** Up to {@code limit} events nobody reads now, oldest first, claimed by this node for the lease. */
    public List<ContactEvent> claim(int limit) throws SQLException {
        OffsetDateTime now = now();
        List<ContactEvent> free = new ArrayList<>();
        List<ContactEvent> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement query = c.prepareStatement("SELECT contact_id, resolved_by, merged_into_contact_id FROM webhook_inbox "
                    + "WHERE claimed_until IS NULL OR claimed_until < ? ORDER BY received_at")) {
                query.setObject(1, now);
                query.setMaxRows(limit);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        free.add(new ContactEvent(row.getString("resolved_by"), row.getLong("contact_id"),
                                row.getObject("merged_into_contact_id", Long.class), List.of()));
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE webhook_inbox SET claimed_until = ?, claimed_by = ? "
                    + "WHERE contact_id = ? AND (claimed_until IS NULL OR claimed_until < ?)")) {
                for (ContactEvent event : free) {
                    update.setObject(1, now.plus(lease));
                    update.setString(2, node.name());
                    update.setLong(3, event.contactId());
                    update.setObject(4, now);
                    if (update.executeUpdate() == 1) {
                        claimed.add(event);
                    }
                }
            }
        }
        return claimed;
    }

    /** Removes a read event. */
    public void done(ContactEvent event) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement delete = c.prepareStatement("DELETE FROM webhook_inbox WHERE contact_id = ?")) {
            delete.setLong(1, event.contactId());
            delete.executeUpdate();
        }
    }

    /** Events stored and not yet read. */
    public long waiting() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT COUNT(*) FROM webhook_inbox");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static void setNullable(PreparedStatement statement, int index, Long value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, value);
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
