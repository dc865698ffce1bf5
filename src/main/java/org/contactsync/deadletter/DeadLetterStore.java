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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.contactsync.intake.DonorInput;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.virtuous.VirtuousApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every failure ends: a donor rejected at intake (kept exactly as it arrived), or a donor the bundle could not
 * sync (kept as the ledger holds it, with the HTTP status and Virtuous's message). Stored in the database, so dead letters
 * survive restarts; a donor with a reference pair is also marked FAILED in the ledger. An operator lists them, replays
 * one through intake under its original reference pair, or discards one with a reason.
 */
public class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.dead-letter");
    private static final String COLUMNS = "id, reference_source, reference_id, stage, reason, http_status, virtuous_message, "
            + "original_input, donor_json, attempts, failed_at, outcome, outcome_reason";

    private final DataSource dataSource;
    private final SyncLedger ledger;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    public DeadLetterStore(DataSource dataSource, SyncLedger ledger, Clock clock) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * Called by the dead-letter route with whatever the failing stage had in hand: a rejected donor as its body, or the
     * ledger entry in the {@code entry} variable with the exception caught (or, for a deadline, a {@code reason} variable).
     */
    public void store(Exchange exchange) throws SQLException, JsonProcessingException {
        Object body = exchange.getMessage().getBody();
        if (body instanceof ValidatedDonor rejected) {
            DonorInput input = rejected.getInput();
            insert(rejected.getReference(), "intake", rejected.getReason(), null, null, input.rawText(),
                    input.fields() == null ? null : json.writeValueAsString(input.fields()), 1);
            LOG.warn("{} rejected at intake ({}): {}", rejected.getReference() == null ? "donor without referenceId" : rejected.getReference(),
                    input.origin(), rejected.getReason());
            if (rejected.getReference() != null && ledger.entry(rejected.getReference()) != null) {
                ledger.markFailed(rejected.getReference(), rejected.getReason());
            }
            return;
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String stage = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        LedgerEntry entry = exchange.getVariable("entry", LedgerEntry.class);
        Integer status = failure instanceof VirtuousApiException api ? api.getStatus() : null;
        String virtuousMessage = failure instanceof VirtuousApiException api ? api.getVirtuousMessage() : null;
        String reason = failure == null ? exchange.getVariable("reason", "unknown", String.class) : describe(failure);
        int attempts = 1 + exchange.getVariable(RedeliveryCount.VARIABLE, 0, Integer.class);
        String donor = json.writeValueAsString(entry.donor());
        insert(entry.getReference(), stage, reason, status, virtuousMessage, donor, donor, attempts);
        ledger.markFailed(entry.getReference(), reason);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure instanceof VirtuousApiException ? message : failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Stores the letter; an older open letter of the same donor is superseded by it, so a donor has one open letter at most. */
    private void insert(ReferencePair reference, String stage, String reason, Integer status, String virtuousMessage, String original,
            String donorJson, int attempts) throws SQLException {
        if (reference != null) {
            closeOpenLetters(reference, "failed again later: see the newer dead letter");
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("INSERT INTO dead_letter (reference_source, reference_id, stage, reason, "
                     + "http_status, virtuous_message, original_input, donor_json, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, reference == null ? null : reference.referenceSource());
            insert.setString(2, reference == null ? null : reference.referenceId());
            insert.setString(3, stage);
            insert.setString(4, SyncLedger.toColumn(reason));
            if (status == null) {
                insert.setNull(5, Types.INTEGER);
            } else {
                insert.setInt(5, status);
            }
            insert.setString(6, SyncLedger.toColumn(virtuousMessage));
            insert.setString(7, original);
            insert.setString(8, donorJson);
            insert.setInt(9, attempts);
            insert.setObject(10, now());
            insert.executeUpdate();
        }
    }

    /** Every dead letter, newest first. */
    public List<DeadLetter> list(int limit) throws SQLException {
        return query("", limit);
    }

    /** The dead letters waiting for an operator (neither replayed nor discarded), newest first, 100 unless told. */
    public List<Map<String, Object>> open(Integer limit) throws SQLException {
        return query(" WHERE outcome IS NULL", limit == null ? 100 : limit).stream().map(DeadLetter::toView).toList();
    }

    /** How many dead letters wait for an operator. */
    public long countOpen() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT COUNT(*) FROM dead_letter WHERE outcome IS NULL");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private List<DeadLetter> query(String where, int limit) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + " FROM dead_letter" + where + " ORDER BY id DESC")) {
            query.setMaxRows(limit);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    letters.add(toLetter(row));
                }
            }
        }
        return letters;
    }

    private DeadLetter toLetter(ResultSet row) throws SQLException {
        String source = row.getString("reference_source");
        String id = row.getString("reference_id");
        return new DeadLetter(row.getLong("id"), source, id, row.getString("stage"), row.getString("reason"),
                row.getObject("http_status", Integer.class), row.getString("virtuous_message"), row.getString("original_input"),
                row.getInt("attempts"), row.getObject("failed_at", OffsetDateTime.class), row.getString("outcome"),
                row.getString("outcome_reason"), id == null ? List.of() : ledger.history(new ReferencePair(source, id)));
    }

    /**
     * The donor to send back through intake: the corrected donor when the operator sends one, else the donor as stored.
     * Either way under the letter's original reference pair, so a replay can never become a second Contact.
     */
    public DonorInput replayInput(long letterId, String correctedDonor) throws SQLException, JsonProcessingException {
        Row letter = openRow(letterId);
        String donorJson = correctedDonor == null || correctedDonor.isBlank() ? letter.donorJson() : correctedDonor;
        if (donorJson == null) {
            throw new IllegalArgumentException("dead letter " + letterId + " holds no readable donor (" + letter.reason()
                    + "); send the corrected donor as the request body");
        }
        Map<String, Object> donor;
        try {
            donor = json.readValue(donorJson, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the corrected donor is not a JSON object: " + e.getOriginalMessage());
        }
        if (letter.reference() != null) {
            donor.put("referenceSource", letter.reference().referenceSource());
            donor.put("referenceId", letter.reference().referenceId());
        }
        return DonorInput.parsed(donor, json.writeValueAsString(donor), "replay of dead letter " + letterId);
    }

    /** Closes a letter whose donor intake accepted again; answers what happened to it. */
    public Map<String, Object> markReplayed(long letterId, ReferencePair reference, Admission admission) throws SQLException {
        close(letterId, "replayed", null);
        LOG.info("dead letter {} replayed: {} {}", letterId, reference, admission);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("replayed", letterId);
        answer.put("referenceSource", reference.referenceSource());
        answer.put("referenceId", reference.referenceId());
        answer.put("admission", admission.name());
        return answer;
    }

    /**
     * Closes the donor's open dead letters once the platform has sent it again and the ledger took it for a fresh
     * attempt ({@code origin}: where the delivery came from). A letter's donor is then out of date: replaying it would
     * send the old data, and the page would show a donor that needs no one's attention.
     */
    public void supersede(ReferencePair reference, Admission admission, String origin) throws SQLException {
        if (admission == null || !admission.isSyncNeeded()) {
            return;
        }
        int closed = closeOpenLetters(reference, "sent again" + (origin == null ? "" : " (" + origin + ")") + " and taken for a fresh attempt");
        if (closed > 0) {
            LOG.info("{}: {} open dead letter(s) superseded, the donor was sent again", reference, closed);
        }
    }

    private int closeOpenLetters(ReferencePair reference, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE dead_letter SET outcome = 'superseded', outcome_reason = ?, outcome_at = ? "
                     + "WHERE reference_source = ? AND reference_id = ? AND outcome IS NULL")) {
            update.setString(1, SyncLedger.toColumn(reason));
            update.setObject(2, now());
            update.setString(3, reference.referenceSource());
            update.setString(4, reference.referenceId());
            return update.executeUpdate();
        }
    }

    /** Closes the letter for good; the reason is kept with it and in the donor's ledger row. */
    public Map<String, Object> discard(long letterId, String reason) throws SQLException {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required to discard a dead letter (?reason=...)");
        }
        Row letter = openRow(letterId);
        close(letterId, "discarded", reason);
        if (letter.reference() != null) {
            ledger.markDiscarded(letter.reference(), reason);
        }
        LOG.info("dead letter {} discarded: {}", letterId, reason);
        return Map.of("discarded", letterId, "reason", reason);
    }

    private void close(long letterId, String outcome, String reason) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE dead_letter SET outcome = ?, outcome_reason = ?, outcome_at = ? "
                     + "WHERE id = ? AND outcome IS NULL")) {
            update.setString(1, outcome);
            update.setString(2, SyncLedger.toColumn(reason));
            update.setObject(3, now());
            update.setLong(4, letterId);
            if (update.executeUpdate() == 0) {
                throw new IllegalStateException("dead letter " + letterId + " was already replayed or discarded");
            }
        }
    }

    private Row openRow(long letterId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT reference_source, reference_id, reason, donor_json, outcome "
                     + "FROM dead_letter WHERE id = ?")) {
            query.setLong(1, letterId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    throw new NoSuchElementException("no dead letter " + letterId);
                }
                if (row.getString("outcome") != null) {
                    throw new IllegalStateException("dead letter " + letterId + " was already " + row.getString("outcome"));
                }
                String id = row.getString("reference_id");
                return new Row(id == null ? null : new ReferencePair(row.getString("reference_source"), id), row.getString("reason"),
                        row.getString("donor_json"));
            }
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private record Row(ReferencePair reference, String reason, String donorJson) {
    }
}
