package org.contactsync.webhook;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.OnCamelContextStarting;
import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.SyncDatabase;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Contact events whose reference pairs have to be read from Virtuous ({@code GET /api/Contact/{id}}). The receiver
 * stores them here, committed, before it answers Virtuous, since a read can wait an hour for API budget; the reader
 * takes them in the poll lane, after live donors, and removes each once its confirmations reached the aggregator. In the
 * database, so a restart loses none; one row per Contact, so repeated deliveries of one Contact cost one read. A node
 * claims the rows it reads for a lease, so nodes sharing the database read each once; a crashed node's rows are read
 * after the lease, or at once when it starts again under its own name.
 */
public class WebhookInbox implements OnCamelContextStarting {

    private final SyncDatabase database;
    private final String node;
    private final Clock clock;
    private final Duration lease;

    public WebhookInbox(SyncDatabase database, ClusterNode node, Clock clock, long leaseSeconds) {
        this.database = database;
        this.node = node.name();
        this.clock = clock;
        this.lease = Duration.ofSeconds(leaseSeconds);
    }

    /** Before the reader runs: no read of this fresh process is under way, so every claim under its name is left over. */
    @Override
    public void onContextStarting(CamelContext context) {
        jdbc().update("UPDATE webhook_inbox SET claimed_until = NULL, claimed_by = NULL WHERE claimed_by = ?", node);
    }

    /**
     * Stores the event; a Contact already waiting keeps its row, and takes the merge when this event reports one.
     * {@code mergeCheck}: its Contact showed a pair of ours SYNCED to another Contact, to be checked for a merge.
     */
    public void hold(ContactEvent event, boolean mergeCheck) {
        try {
            // deliveries of the same moment share one commit, each answered once it returned
            database.groupCommit().execute(() -> jdbc().update("INSERT INTO webhook_inbox (contact_id, resolved_by, merged_into_contact_id, "
                    + "received_at, merge_check) VALUES (?, ?, ?, ?, ?)", event.contactId(), event.resolvedBy(), event.mergedIntoContactId(), now(),
                    mergeCheck));
        } catch (DuplicateKeyException e) {
            if (event.mergedIntoContactId() != null) {
                jdbc().update("UPDATE webhook_inbox SET merged_into_contact_id = ? WHERE contact_id = ?", event.mergedIntoContactId(),
                        event.contactId());
            }
            if (mergeCheck) {
                jdbc().update("UPDATE webhook_inbox SET merge_check = TRUE WHERE contact_id = ?", event.contactId());
            }
        }
    }

    /** Whether the stored event was held for a merge check ({@link #hold}). */
    public boolean isMergeCheck(ContactEvent event) {
        return jdbc().queryForList("SELECT 1 FROM webhook_inbox WHERE contact_id = ? AND merge_check", event.contactId()).size() == 1;
    }

    /** Up to {@code limit} events nobody reads now, oldest first, claimed by this node for the lease. */
    public List<ContactEvent> claim(int limit) {
        OffsetDateTime now = now();
        List<ContactEvent> free = jdbc().query("SELECT contact_id, resolved_by, merged_into_contact_id FROM webhook_inbox "
                + "WHERE claimed_until IS NULL OR claimed_until < ? ORDER BY received_at LIMIT ?", (row, number) ->
                new ContactEvent(row.getString("resolved_by"), row.getLong("contact_id"), row.getObject("merged_into_contact_id", Long.class),
                        List.of()), now, limit);
        List<ContactEvent> claimed = new ArrayList<>();
        for (ContactEvent event : free) {
            if (jdbc().update("UPDATE webhook_inbox SET claimed_until = ?, claimed_by = ? WHERE contact_id = ? "
                    + "AND (claimed_until IS NULL OR claimed_until < ?)", now.plus(lease), node, event.contactId(), now) == 1) {
                claimed.add(event);
            }
        }
        return claimed;
    }

    /** Removes a read event. */
    public void done(ContactEvent event) {
        jdbc().update("DELETE FROM webhook_inbox WHERE contact_id = ?", event.contactId());
    }

    /** Events stored and not yet read. */
    public long waiting() {
        return jdbc().queryForObject("SELECT COUNT(*) FROM webhook_inbox", Long.class);
    }

    private JdbcTemplate jdbc() {
        return database.jdbc();
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
}
