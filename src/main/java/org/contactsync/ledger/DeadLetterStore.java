package org.contactsync.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Where every failure ends: a donor rejected at intake (kept exactly as it arrived), or a donor the bundle could not
 * sync (kept as the ledger holds it, with the HTTP status and Virtuous's message). Stored in the database, so dead letters
 * survive restarts; a donor with a reference pair is also marked FAILED in the ledger, in the same transaction as its
 * letter, so there is never a FAILED donor without its reason or a letter for a donor still being worked on. An operator
 * lists them, replays one through intake under its original reference pair, or discards one with a reason.
 */
public class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.dead-letter");
    private static final String COLUMNS = "id, reference_source, reference_id, stage, reason, http_status, virtuous_message, "
            + "original_input, donor_json, attempts, failed_at, outcome, outcome_reason";
    /** The characters original_input and donor_json hold. */
    private static final int INPUT_MAX = 100_000;

    private final SyncDatabase database;
    private final SyncLedger ledger;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    public DeadLetterStore(SyncDatabase database, SyncLedger ledger, Clock clock) {
        this.database = database;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * A donor rejected at intake, kept exactly as it arrived ({@code rawText}, and its fields as JSON when it could be
     * read); FAILED in the ledger, in the same transaction, when the ledger knows its reference pair. A donor larger than
     * the columns keeps its first characters, and no donor to replay as stored: the operator sends a corrected one.
     */
    public void storeRejected(ReferencePair reference, String reason, String rawText, String donorJson) {
        String original = rawText.length() <= INPUT_MAX ? rawText
                : rawText.substring(0, INPUT_MAX - 100) + "... (cut: " + rawText.length() + " characters in all)";
        String replayable = donorJson == null || donorJson.length() > INPUT_MAX ? null : donorJson;
        database.transactions().executeWithoutResult(status -> {
            insert(reference, "intake", reason, null, null, original, replayable, 1);
            if (reference != null && ledger.entry(reference) != null) {
                ledger.markFailed(reference, reason);
            }
        });
    }

    /**
     * A donor the bundle could not sync, as the ledger holds it, with the stage that gave up (a Virtuous operation or a
     * route), the reason, the HTTP status and Virtuous's message when it answered, and how many tries it got; FAILED in
     * the ledger in the same transaction.
     */
    public void storeFailed(LedgerEntry entry, String stage, String reason, Integer httpStatus, String virtuousMessage, int attempts) {
        String donor = toJson(entry.donor());
        database.transactions().executeWithoutResult(transaction -> {
            insert(entry.getReference(), stage, reason, httpStatus, virtuousMessage, donor, donor, attempts);
            ledger.markFailed(entry.getReference(), reason);
        });
    }

    /** Stores the letter; an older open letter of the same donor is superseded by it, so a donor has one open letter at most. */
    private void insert(ReferencePair reference, String stage, String reason, Integer status, String virtuousMessage, String original,
            String donorJson, int attempts) {
        if (reference != null) {
            closeOpenLetters(reference, "failed again later: see the newer dead letter", null);
        }
        jdbc().update("INSERT INTO dead_letter (reference_source, reference_id, stage, reason, http_status, virtuous_message, "
                + "original_input, donor_json, attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                reference == null ? null : reference.referenceSource(), reference == null ? null : reference.referenceId(), stage,
                SyncLedger.toColumn(reason), status, SyncLedger.toColumn(virtuousMessage), original, donorJson, attempts, now());
    }

    /** Every dead letter, newest first. */
    public List<DeadLetter> list(int limit) {
        return query("", limit);
    }

    /** The dead letters waiting for an operator (neither replayed nor discarded), newest first, 100 unless told. */
    public List<Map<String, Object>> open(Integer limit) {
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be 0 or more, was " + limit);
        }
        return query(" WHERE outcome IS NULL", limit == null ? 100 : limit).stream().map(DeadLetter::toView).toList();
    }

    /** How many dead letters wait for an operator. */
    public long countOpen() {
        return jdbc().queryForObject("SELECT COUNT(*) FROM dead_letter WHERE outcome IS NULL", Long.class);
    }

    private List<DeadLetter> query(String where, int limit) {
        return jdbc().query("SELECT " + COLUMNS + " FROM dead_letter" + where + " ORDER BY id DESC LIMIT ?", (row, number) -> toLetter(row), limit);
    }

    private DeadLetter toLetter(ResultSet row) throws SQLException {
        String source = row.getString("reference_source");
        String id = row.getString("reference_id");
        return new DeadLetter(row.getLong("id"), source, id, row.getString("stage"), row.getString("reason"),
                row.getObject("http_status", Integer.class), row.getString("virtuous_message"), row.getString("original_input"),
                row.getInt("attempts"), row.getObject("failed_at", OffsetDateTime.class), row.getString("outcome"),
                row.getString("outcome_reason"), id == null ? List.of() : ledger.history(new ReferencePair(source, id)));
    }

    /** An open letter, for its replay: 404 (NoSuchElementException) unknown, 409 (IllegalStateException) already closed. */
    public Letter openLetter(long letterId) {
        List<Map<String, Object>> rows = jdbc().queryForList("SELECT reference_source, reference_id, reason, donor_json, outcome "
                + "FROM dead_letter WHERE id = ?", letterId);
        if (rows.isEmpty()) {
            throw new NoSuchElementException("no dead letter " + letterId);
        }
        Map<String, Object> row = rows.get(0);
        if (row.get("outcome") != null) {
            throw new IllegalStateException("dead letter " + letterId + " was already " + row.get("outcome"));
        }
        String id = (String) row.get("reference_id");
        return new Letter(id == null ? null : new ReferencePair((String) row.get("reference_source"), id), (String) row.get("reason"),
                (String) row.get("donor_json"));
    }

    /** The open letters with exactly this reason, oldest first, {@code limit} at most: a replay of "all with one reason". */
    public List<Long> openWithReason(String reason, int limit) {
        return jdbc().queryForList("SELECT id FROM dead_letter WHERE outcome IS NULL AND reason = ? ORDER BY id LIMIT ?", Long.class,
                reason, limit);
    }

    /**
     * What a replay preview of the letter was made from, hashed: its donor, and its donor's ledger row (content, Contact,
     * state). A letter closed, superseded by a newer failure, or whose donor the ledger took again since, has another.
     */
    public String replayVersion(long letterId, Letter letter) {
        LedgerEntry entry = letter.reference() == null ? null : ledger.entry(letter.reference());
        return SyncLedger.fingerprint(letterId + "|" + letter.donorJson() + "|"
                + (entry == null ? "" : entry.fingerprint() + "|" + entry.contactId() + "|" + entry.state()));
    }

    /**
     * Why the open letter is not to be replayed for a preview that saw it at {@code version}: null when it is as the
     * preview saw it. Its closing comes after intake took the donor ({@link #closeReplayed}), so a failure in between
     * leaves it open: nothing is lost, and the ledger's admission keeps a second replay from sending the donor again.
     */
    public String changedSince(long letterId, Letter letter, String version) {
        return replayVersion(letterId, letter).equals(version) ? null
                : "changed since the preview (its donor or the donor's ledger row): preview it again";
    }

    /** Closes a letter a replay token's apply sent through intake; false when another apply closed it first. */
    public boolean closeReplayed(long letterId, String token) {
        boolean closed = jdbc().update("UPDATE dead_letter SET outcome = 'replayed', outcome_reason = ?, outcome_at = ? WHERE id = ? "
                + "AND outcome IS NULL", "replay " + token, now(), letterId) == 1;
        if (closed) {
            LOG.info("dead letter {} replayed (replay {})", letterId, token);
        }
        return closed;
    }

    /** Closes a letter whose donor intake accepted again; answers what happened to it. */
    public Map<String, Object> markReplayed(long letterId, ReferencePair reference, Admission admission) {
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
     * send the old data, and the page would show a donor that needs no one's attention. Only the letters written before
     * {@code recordedAt}, when intake recorded the delivery: the fresh attempt may already have failed, and its own
     * letter is the one the operator needs.
     */
    public void supersede(ReferencePair reference, Admission admission, String origin, OffsetDateTime recordedAt) {
        if (admission == null || !admission.isSyncNeeded()) {
            return;
        }
        int closed = closeOpenLetters(reference, "sent again" + (origin == null ? "" : " (" + origin + ")") + " and taken for a fresh attempt",
                recordedAt);
        if (closed > 0) {
            LOG.info("{}: {} open dead letter(s) superseded, the donor was sent again", reference, closed);
        }
    }

    /** Supersedes the donor's open letters, those written before {@code writtenBefore} only when it is given. */
    private int closeOpenLetters(ReferencePair reference, String reason, OffsetDateTime writtenBefore) {
        String sql = "UPDATE dead_letter SET outcome = 'superseded', outcome_reason = ?, outcome_at = ? "
                + "WHERE reference_source = ? AND reference_id = ? AND outcome IS NULL";
        return writtenBefore == null
                ? jdbc().update(sql, SyncLedger.toColumn(reason), now(), reference.referenceSource(), reference.referenceId())
                : jdbc().update(sql + " AND failed_at < ?", SyncLedger.toColumn(reason), now(), reference.referenceSource(), reference.referenceId(),
                        writtenBefore);
    }

    /** Closes the letter for good; the reason is kept with it and in the donor's ledger row, in one transaction. */
    public Map<String, Object> discard(long letterId, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required to discard a dead letter (?reason=...)");
        }
        Letter letter = openLetter(letterId);
        database.transactions().executeWithoutResult(status -> {
            close(letterId, "discarded", reason);
            if (letter.reference() != null) {
                ledger.markDiscarded(letter.reference(), reason);
            }
        });
        LOG.info("dead letter {} discarded: {}", letterId, reason);
        return Map.of("discarded", letterId, "reason", reason);
    }

    private void close(long letterId, String outcome, String reason) {
        if (jdbc().update("UPDATE dead_letter SET outcome = ?, outcome_reason = ?, outcome_at = ? WHERE id = ? AND outcome IS NULL",
                outcome, SyncLedger.toColumn(reason), now(), letterId) == 0) {
            throw new IllegalStateException("dead letter " + letterId + " was already replayed or discarded");
        }
    }

    private JdbcTemplate jdbc() {
        return database.jdbc();
    }

    /** The time letters are stamped with (the bundle's clock, UTC). */
    public OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private String toJson(Map<String, Object> donor) {
        try {
            return json.writeValueAsString(donor);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("donor cannot be stored as JSON", e);
        }
    }

    /** An open letter: the donor's reference pair (null when it had none), why it failed, the donor as JSON (null when unreadable). */
    public record Letter(ReferencePair reference, String reason, String donorJson) {
    }
}
