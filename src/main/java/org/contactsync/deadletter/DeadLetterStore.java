package org.contactsync.deadletter;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.virtuous.VirtuousApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every failure ends: a donor rejected at intake (kept exactly as it arrived), or a donor the API calls could not
 * sync (kept as the ledger holds it, with the HTTP status and Virtuous's message). Stored in the database, so dead letters
 * survive restarts; a donor with a reference pair is also marked FAILED in the ledger.
 */
public class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.dead-letter");

    private final DataSource dataSource;
    private final SyncLedger ledger;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    public DeadLetterStore(DataSource dataSource, SyncLedger ledger, Clock clock) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Called by the dead-letter route with whatever the failing stage had in hand. */
    public void store(Exchange exchange) throws SQLException, JsonProcessingException {
        Object body = exchange.getMessage().getBody();
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String stage = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, "sync", String.class);
        if (body instanceof ValidatedDonor rejected) {
            insert(rejected.getReference(), "intake", rejected.getReason(), null, null, rejected.getInput().rawText(), 1);
            LOG.warn("{} rejected at intake ({}): {}", rejected.getReference() == null ? "donor without referenceId" : rejected.getReference(),
                    rejected.getInput().origin(), rejected.getReason());
            if (rejected.getReference() != null && ledger.entry(rejected.getReference()) != null) {
                ledger.markFailed(rejected.getReference(), rejected.getReason());
            }
            return;
        }
        LedgerEntry entry = exchange.getVariable("entry", LedgerEntry.class);
        Integer status = failure instanceof VirtuousApiException api ? api.getStatus() : null;
        String virtuousMessage = failure instanceof VirtuousApiException api ? api.getVirtuousMessage() : null;
        String reason = failure == null ? exchange.getVariable("reason", "unknown", String.class) : describe(failure);
        int attempts = 1 + exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        insert(entry.getReference(), stage, reason, status, virtuousMessage, json.writeValueAsString(entry.donor()), attempts);
        ledger.markFailed(entry.getReference(), reason);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure instanceof VirtuousApiException ? message : failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private void insert(ReferencePair reference, String stage, String reason, Integer status, String virtuousMessage, String original,
            int attempts) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO dead_letter (reference_source, reference_id, stage, reason, "
                     + "http_status, virtuous_message, original_input, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, reference == null ? null : reference.referenceSource());
            insert.setString(2, reference == null ? null : reference.referenceId());
            insert.setString(3, stage);
            insert.setString(4, truncate(reason, 4000));
            if (status == null) {
                insert.setNull(5, Types.INTEGER);
            } else {
                insert.setInt(5, status);
            }
            insert.setString(6, truncate(virtuousMessage, 4000));
            insert.setString(7, original);
            insert.setInt(8, attempts);
            insert.setObject(9, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    /** Newest first. */
    public List<DeadLetter> list(int limit) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT id, reference_source, reference_id, stage, reason, http_status, "
                     + "virtuous_message, original_input, attempts, failed_at FROM dead_letter ORDER BY id DESC")) {
            query.setMaxRows(limit);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    letters.add(new DeadLetter(row.getLong("id"), row.getString("reference_source"), row.getString("reference_id"),
                            row.getString("stage"), row.getString("reason"), row.getObject("http_status", Integer.class),
                            row.getString("virtuous_message"), row.getString("original_input"), row.getInt("attempts"),
                            row.getObject("failed_at", OffsetDateTime.class)));
                }
            }
        }
        return letters;
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
