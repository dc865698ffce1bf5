package org.contactsync.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The durable sync ledger: one row per reference pair, and the one way a row changes state. Every change writes its
 * history row in the same transaction (joining the caller's, when a dead letter or a whole chunk goes with it) and is
 * logged as one line with the reference pair once that transaction has committed, so the log reads as the history of
 * each donor and never tells of a change that was rolled back.
 *
 * <p>The other parts of the ledger read and claim its rows for one purpose each: {@link Admissions} (intake),
 * {@link Claims} (a donor being worked on), {@link Leases} (the poll's and the bulk worker's), {@link LedgerViews}
 * (the status API, the page and the metrics).
 */
public class SyncLedger {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");
    static final String COLUMNS = "reference_source, reference_id, state, donor_json, fingerprint, contact_id, resolved_by, "
            + "attempts, last_error, received_at, submitted_at, synced_at, updated_at, baseline_json, submit_outcome, write_intent";
    /** A submit recorded before its request left, and not (yet) answered 200: Virtuous may hold it. */
    static final String SENT = "SENT";
    /** A submit Virtuous answered 200: held for its import. */
    static final String ACCEPTED = "ACCEPTED";
    private static final TypeReference<Map<String, Object>> DONOR = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> INTENT = new TypeReference<>() { };

    private final SyncDatabase database;
    private final Clock clock;
    private final String node;
    private final Duration claimLease;
    private final ObjectMapper json = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final RowMapper<LedgerEntry> rows = (row, number) -> toEntry(row);

    public SyncLedger(SyncDatabase database, Clock clock, ClusterNode node, long claimLeaseSeconds) {
        this.database = database;
        this.clock = clock;
        this.node = node.name();
        this.claimLease = Duration.ofSeconds(claimLeaseSeconds);
    }

    public LedgerEntry entry(ReferencePair reference) {
        return find(reference, "").orElse(null);
    }

    /** The row, locked until the caller's transaction ends: a change of it waits for that, and this for a change under way. */
    public LedgerEntry lockedEntry(ReferencePair reference) {
        return find(reference, " FOR UPDATE").orElse(null);
    }

    /** The row, read with {@code lock} appended (" FOR UPDATE" inside a transaction, or ""). */
    Optional<LedgerEntry> find(ReferencePair reference, String lock) {
        return jdbc().query("SELECT " + COLUMNS + " FROM sync_ledger WHERE reference_source = ? AND reference_id = ?" + lock, rows,
                reference.referenceSource(), reference.referenceId()).stream().findFirst();
    }

    /** Oldest first. */
    public List<Map<String, Object>> history(ReferencePair reference) {
        return jdbc().query("SELECT state, detail, at FROM sync_history WHERE reference_source = ? AND reference_id = ? ORDER BY id",
                (row, number) -> {
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("at", row.getObject("at", OffsetDateTime.class).toString());
                    step.put("state", row.getString("state"));
                    step.put("detail", row.getString("detail"));
                    step.values().removeIf(Objects::isNull);
                    return step;
                }, reference.referenceSource(), reference.referenceId());
    }

    /**
     * The lookup found the donor's Contact: RECEIVED -> SYNCED, with {@code baseline} as what Virtuous is taken to hold.
     * What the donor carries beyond it goes out through {@link #reopenIfChanged}.
     */
    public void markSynced(ReferencePair reference, long contactId, String resolvedBy, Map<String, Object> baseline) {
        transition(reference, SyncState.SYNCED, "state = 'RECEIVED'", linked(contactId, resolvedBy),
                "contact_id = ?, resolved_by = ?, synced_at = ?, baseline_json = ?, last_error = NULL",
                contactId, resolvedBy, now(), toJson(baseline));
    }

    /**
     * The donor's submit is about to leave ({@code submittedWith}, the history's words: "Contact Transaction" or
     * "Contact Batch"): RECEIVED -> PENDING, marked SENT, with the payload as the baseline, committed before the request
     * is made. From here on the donor counts as possibly held by Virtuous, whatever happens to the request or this
     * process, so nothing sends it again before its webhook, the poll or the deadline has settled it. Only the exchange
     * holding the donor's claim ({@code claimedFor}) may mark it, so no claim race can ever submit a donor twice.
     * Returns false when the donor is not (or no longer) that exchange's to send.
     */
    public boolean markSending(ReferencePair reference, String claimedFor, Map<String, Object> submitted, String submittedWith) {
        return change(reference, SyncState.PENDING, "state = 'RECEIVED' AND claimed_by = ? AND claimed_for = ?", new Object[] {node, claimedFor},
                submittedWith + " submitted", "submitted_at = ?, submit_outcome = '" + SENT + "', baseline_json = ?, polled_at = NULL, last_error = NULL",
                false, new Object[] {now(), toJson(submitted)});
    }

    /** Whether the donor is PENDING with a submit marked SENT and not answered: what {@link #markSending} leaves. */
    public boolean isSent(ReferencePair reference) {
        LedgerEntry entry = entry(reference);
        return entry != null && entry.state() == SyncState.PENDING && SENT.equals(entry.submitOutcome());
    }

    /**
     * Virtuous answered the submit with 200: held for its import. Not a change of state (the donor went PENDING when it
     * was sent), so no history row. Returns false when a webhook already resolved it, or it is no longer this submit's.
     */
    public boolean markAccepted(ReferencePair reference) {
        return jdbc().update("UPDATE sync_ledger SET submit_outcome = '" + ACCEPTED + "' WHERE reference_source = ? AND reference_id = ? "
                + "AND state = 'PENDING' AND submit_outcome = '" + SENT + "'", reference.referenceSource(), reference.referenceId()) == 1;
    }

    /**
     * The submit left and no answer says what became of it (a timeout, a reset connection, a 5xx that may come after
     * the write): it stays PENDING and SENT, for the webhook, the poll and the deadline to settle.
     */
    public void markUnanswered(ReferencePair reference, String submittedWith, String failure) {
        transition(reference, SyncState.PENDING, "state = 'PENDING' AND submit_outcome = '" + SENT + "'",
                submittedWith + " unanswered (" + failure + "): Virtuous may hold it, so it is not sent again unless Virtuous has no "
                        + "Contact for it at the pending deadline", "last_error = ?", toColumn(failure));
    }

    /**
     * A submit that was refused as a whole before Virtuous took anything (a Contact Batch answered 4xx): PENDING -> RECEIVED,
     * claimed again for the exchange {@code claimedFor} in the same write, so no other worker takes it before that
     * exchange sends it alone.
     */
    public boolean unsend(ReferencePair reference, String claimedFor, String why) {
        return transitionKeepingClaim(reference, SyncState.RECEIVED, "state = 'PENDING' AND submit_outcome = '" + SENT + "'", why,
                "submitted_at = NULL, submit_outcome = NULL, baseline_json = NULL, claimed_until = ?, claimed_by = ?, claimed_for = ?",
                now().plus(claimLease), node, claimedFor);
    }

    /**
     * A donor whose submit went unanswered, and for whom Virtuous still has no Contact at the deadline: it never reached
     * Virtuous, or Virtuous let it go. PENDING -> RECEIVED, to be looked up and submitted afresh. Only the submit of
     * {@code submittedAt} (as the caller read it): a caller holding a stale row must not take the newer submit that
     * followed an earlier resubmit, still unanswered, for the old one and send the donor a third time.
     */
    public boolean resubmit(ReferencePair reference, OffsetDateTime submittedAt, String why) {
        return change(reference, SyncState.RECEIVED, "state = 'PENDING' AND submit_outcome = '" + SENT + "' AND submitted_at IS NOT DISTINCT FROM ?",
                new Object[] {submittedAt}, why, "submitted_at = NULL, submit_outcome = NULL, baseline_json = NULL, attempts = 0", false, new Object[0]);
    }

    /**
     * Virtuous holds this donor's reference pair in a Contact (webhook or poll, through the resolution aggregator):
     * PENDING or FAILED -> SYNCED. {@code mergedFrom}: the Contact Virtuous created for it and a person merged into this
     * one (null when none), which the history names. RECEIVED rows are left to the lookup: the donor's newest data has
     * not been sent yet; a SYNCED row follows a merge through {@link #repoint}. Returns whether it changed.
     */
    public boolean resolve(ReferencePair reference, long contactId, String resolvedBy, Long mergedFrom) {
        return transition(reference, SyncState.SYNCED, "state IN ('PENDING', 'FAILED')",
                mergedFrom == null ? linked(contactId, resolvedBy) : merged(mergedFrom, contactId, resolvedBy),
                "contact_id = ?, resolved_by = ?, synced_at = ?, last_error = NULL, write_intent = NULL", contactId, resolvedBy, now());
    }

    /**
     * A person merged Contact {@code mergedId} into {@code survivorId} in Virtuous, as {@code seenBy} learnt (a webhook's
     * mergedIntoContactId, the poll's Query with a GET of the old Contact, an update's 404): every row naming the merged
     * Contact names the survivor from now on, in whatever state it is, and its history says so. The one place the
     * ledger follows a merge. Claims stay: an update under way goes on against the survivor. Returns the pairs re-pointed.
     */
    public List<ReferencePair> repoint(long mergedId, long survivorId, String seenBy) {
        if (mergedId == survivorId) {
            return List.of();
        }
        return database.transactions().execute(status -> {
            OffsetDateTime now = now();
            List<ReferencePair> moved = new ArrayList<>();
            for (LedgerEntry entry : jdbc().query("SELECT " + COLUMNS + " FROM sync_ledger WHERE contact_id = ? FOR UPDATE", rows, mergedId)) {
                jdbc().update("UPDATE sync_ledger SET contact_id = ?, updated_at = ? WHERE reference_source = ? AND reference_id = ?",
                        survivorId, now, entry.referenceSource(), entry.referenceId());
                recordHistory(entry.getReference(), entry.state(), merged(mergedId, survivorId, seenBy), now);
                moved.add(entry.getReference());
            }
            return moved;
        });
    }

    /**
     * The update path applied {@code applied} (the donor as sent) to its Contact: RECEIVED -> SYNCED, what was applied
     * becomes the baseline, {@code contact} (Virtuous's answer, null when nothing was read) the canonical state.
     */
    public void markUpdated(ReferencePair reference, long contactId, Map<String, Object> applied, Map<String, Object> contact,
            String summary) {
        transition(reference, SyncState.SYNCED, "state = 'RECEIVED'", "contactId=" + contactId + " updated: " + summary,
                "contact_id = ?, synced_at = ?, baseline_json = ?, contact_json = COALESCE(?, contact_json), last_error = NULL, write_intent = NULL",
                contactId, now(), toJson(applied), contact == null ? null : toJson(contact));
    }

    /**
     * Before a PUT leaves: the record it writes ({@code "contact:1234"}) and the modifiedDateTimeUtc of the copy the
     * changes were applied to, committed, so an update interrupted by a crash can tell from a fresh read whether the PUT
     * landed and whether anyone wrote the record since. The row's state does not change.
     */
    public void recordWrite(ReferencePair reference, String record, String readStamp) {
        database.transactions().executeWithoutResult(status -> {
            Map<String, String> intent = find(reference, " FOR UPDATE").map(LedgerEntry::writeIntent).orElse(Map.of());
            Map<String, String> updated = new TreeMap<>(intent);
            updated.put(record, readStamp == null ? "" : readStamp);
            jdbc().update("UPDATE sync_ledger SET write_intent = ? WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED'",
                    toColumn(toText(updated)), reference.referenceSource(), reference.referenceId());
        });
    }

    /**
     * A SYNCED donor whose data differs from what Virtuous took (changed while PENDING, or carrying fields only an
     * update applies): SYNCED -> RECEIVED, to go down the update path. Returns whether it did.
     */
    public boolean reopenIfChanged(ReferencePair reference) {
        LedgerEntry entry = entry(reference);
        if (entry == null || entry.state() != SyncState.SYNCED) {
            return false;
        }
        Map<String, Object> changes = DonorChanges.between(entry.baseline(), entry.donor());
        return !changes.isEmpty() && transition(reference, SyncState.RECEIVED, "state = 'SYNCED' AND fingerprint = '" + entry.fingerprint() + "'",
                "changed since Virtuous took it: " + String.join(", ", changes.keySet()), "attempts = 0");
    }

    /** Into the dead letter (the caller stores the letter in the same transaction). */
    public void markFailed(ReferencePair reference, String reason) {
        transition(reference, SyncState.FAILED, null, reason, "last_error = ?, write_intent = NULL", toColumn(reason));
    }

    /** An operator discarded the donor's dead letter: it stays FAILED, with the reason as its last word. */
    public void markDiscarded(ReferencePair reference, String reason) {
        String note = "dead letter discarded: " + reason;
        transition(reference, SyncState.FAILED, "state = 'FAILED'", note, "last_error = ?", toColumn(note));
    }

    /**
     * Moves a row to {@code state} when {@code guard} (SQL over the row, or null) holds, releasing its claim, records the
     * change in the history and logs it once committed. Returns false, changing nothing, when the guard did not hold or
     * the row does not exist.
     */
    private boolean transition(ReferencePair reference, SyncState state, String guard, String detail, String assignments,
            Object... values) {
        return change(reference, state, guard, new Object[0], detail, assignments, false, values);
    }

    /** As {@link #transition}, for a caller that goes on working on the donor under its claim (a relink, a refused chunk). */
    private boolean transitionKeepingClaim(ReferencePair reference, SyncState state, String guard, String detail, String assignments,
            Object... values) {
        return change(reference, state, guard, new Object[0], detail, assignments, true, values);
    }

    private boolean change(ReferencePair reference, SyncState state, String guard, Object[] guardValues, String detail, String assignments,
            boolean keepClaim, Object[] values) {
        OffsetDateTime now = now();
        List<Object> arguments = new ArrayList<>();
        arguments.add(state.name());
        arguments.addAll(Arrays.asList(values));
        arguments.add(now);
        arguments.add(reference.referenceSource());
        arguments.add(reference.referenceId());
        arguments.addAll(Arrays.asList(guardValues));
        Boolean moved = database.transactions().execute(status -> {
            int updated = jdbc().update("UPDATE sync_ledger SET state = ?, " + assignments
                    + (keepClaim ? "" : ", claimed_until = NULL, claimed_by = NULL, claimed_for = NULL") + ", updated_at = ? "
                    + "WHERE reference_source = ? AND reference_id = ?" + (guard == null ? "" : " AND " + guard), arguments.toArray());
            if (updated == 0) {
                LOG.debug("{} not moved to {}: {}", reference, state, guard);
                return false;
            }
            recordHistory(reference, state, detail, now);
            return true;
        });
        return Boolean.TRUE.equals(moved);
    }

    /**
     * The history row of a change, in the caller's transaction, and its one log line once that commits: the reference
     * pair, the new state and why, so grepping the log for a donor's pair tells its story. Detail texts never carry
     * credentials (they come from the ledger's own wording and Virtuous's error bodies).
     */
    void recordHistory(ReferencePair reference, SyncState state, String detail, OffsetDateTime at) {
        jdbc().update("INSERT INTO sync_history (reference_source, reference_id, state, detail, at) VALUES (?, ?, ?, ?, ?)",
                reference.referenceSource(), reference.referenceId(), state.name(), toColumn(detail), at);
        Runnable log = () -> {
            if (state == SyncState.FAILED) {
                LOG.warn("{} -> {}: {}", reference, state, detail);
            } else {
                LOG.info("{} -> {}: {}", reference, state, detail);
            }
        };
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    log.run();
                }
            });
        } else {
            log.run();
        }
    }

    /** How a SYNCED change reads in the log and the history. */
    private static String linked(long contactId, String resolvedBy) {
        return "contactId=" + contactId + " (" + resolvedBy + ")";
    }

    /** How following a merge reads in the log and the history (the status page shows it in the donor's history). */
    private static String merged(long mergedId, long survivorId, String seenBy) {
        return "merged: Contact " + mergedId + " \u2192 " + survivorId + " (" + seenBy + ")";
    }

    JdbcTemplate jdbc() {
        return database.jdbc();
    }

    SyncDatabase database() {
        return database;
    }

    RowMapper<LedgerEntry> rows() {
        return rows;
    }

    private LedgerEntry toEntry(ResultSet row) throws SQLException {
        String intent = row.getString("write_intent");
        return new LedgerEntry(
                row.getString("reference_source"),
                row.getString("reference_id"),
                SyncState.valueOf(row.getString("state")),
                fromJson(row.getString("donor_json"), DONOR),
                row.getString("fingerprint"),
                row.getObject("contact_id", Long.class),
                row.getString("resolved_by"),
                row.getInt("attempts"),
                row.getString("last_error"),
                row.getObject("received_at", OffsetDateTime.class),
                row.getObject("submitted_at", OffsetDateTime.class),
                row.getObject("synced_at", OffsetDateTime.class),
                row.getObject("updated_at", OffsetDateTime.class),
                row.getString("baseline_json") == null ? null : fromJson(row.getString("baseline_json"), DONOR),
                row.getString("submit_outcome"),
                intent == null ? Map.of() : fromJson(intent, INTENT));
    }

    OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** The donor as stored: key order fixed, so the same donor always has the same fingerprint. */
    String toJson(Map<String, Object> donor) {
        return toText(new TreeMap<>(donor));
    }

    private String toText(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("donor cannot be stored as JSON", e);
        }
    }

    private <T> T fromJson(String text, TypeReference<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ledger row holds invalid JSON", e);
        }
    }

    static String fingerprint(String donorJson) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(donorJson.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** Free text cut to the 4000 characters the ledger's and the dead letter's text columns hold. */
    public static String toColumn(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 4000);
    }
}
