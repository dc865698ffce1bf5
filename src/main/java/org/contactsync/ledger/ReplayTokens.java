package org.contactsync.ledger;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The replay previews an operator was shown (table {@code replay_token}): a token names exactly the dead letters its
 * preview listed, each with the version its diff was made from. Applying a token claims it with one conditional
 * UPDATE, so of two applies of the same token, sequential or concurrent, exactly one runs; the other is told it was
 * already applied.
 */
public class ReplayTokens {

    private static final TypeReference<LinkedHashMap<Long, String>> LETTERS = new TypeReference<>() { };

    private final SyncDatabase database;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    public ReplayTokens(SyncDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A new token for these letters (letter id to the version the preview showed). */
    public String issue(Map<Long, String> letters) {
        String token = UUID.randomUUID().toString();
        database.jdbc().update("INSERT INTO replay_token (token, letters, created_at) VALUES (?, ?, ?)", token, toJson(letters), now());
        return token;
    }

    /**
     * Claims the token for the one apply that will run it: its letters with their versions. 404
     * (NoSuchElementException) for a token never issued, 409 (IllegalStateException) for one applied already.
     */
    public Map<Long, String> claim(String token) {
        if (database.jdbc().update("UPDATE replay_token SET applied_at = ? WHERE token = ? AND applied_at IS NULL", now(), token) == 1) {
            return fromJson(database.jdbc().queryForObject("SELECT letters FROM replay_token WHERE token = ?", String.class, token));
        }
        List<Map<String, Object>> rows = database.jdbc().queryForList("SELECT applied_at, outcome FROM replay_token WHERE token = ?", token);
        if (rows.isEmpty()) {
            throw new NoSuchElementException("no replay preview " + token + ": preview the letters again (POST /sync/replays)");
        }
        Object outcome = rows.get(0).get("outcome");
        throw new IllegalStateException("replay " + token + " was already applied at " + rows.get(0).get("applied_at")
                + (outcome == null ? " and is still running" : " (" + outcome + ")") + "; nothing was sent again");
    }

    /** What the apply did, in a few words, for the answer to a second apply of the token. */
    public void recordOutcome(String token, String outcome) {
        database.jdbc().update("UPDATE replay_token SET outcome = ? WHERE token = ?", SyncLedger.toColumn(outcome), token);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private String toJson(Map<Long, String> letters) {
        try {
            return json.writeValueAsString(letters);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("letter versions cannot be stored as JSON", e);
        }
    }

    private Map<Long, String> fromJson(String text) {
        try {
            return json.readValue(text, LETTERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("replay_token holds invalid JSON", e);
        }
    }
}
