package org.contactsync.ledger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.contactsync.cluster.ClusterNode;
import org.contactsync.update.ContactUpdate;
import org.contactsync.update.DonorChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable sync ledger: one row per reference pair. Every state change goes through here and is logged
 * as one line with the reference pair, so the log reads as the history of each donor.
 */
public class SyncLedger {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");
    private static final String COLUMNS = "reference_source, reference_id, state, donor_json, fingerprint, contact_id, resolved_by, "
            + "attempts, last_error, received_at, submitted_at, synced_at, updated_at, baseline_json";
    /** PENDING, submitted at least the poll's wait ago and not polled within it (both parameters: now minus that wait). */
    private static final String DUE_FOR_POLL = "state = 'PENDING' AND submitted_at <= ? AND (polled_at IS NULL OR polled_at <= ?)";

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration claimLease;
    private final ClusterNode node;
    private final ObjectMapper json = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public SyncLedger(DataSource dataSource, Clock clock, long claimLeaseSeconds, ClusterNode node) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.claimLease = Duration.ofSeconds(claimLeaseSeconds);
        this.node = node;
    }

    /** Records a validated donor; idempotent on the reference pair and the donor's content. */
    public Admission receive(ReferencePair reference, Map<String, Object> donor) throws SQLException {
        String donorJson = toJson(donor);
        String fingerprint = fingerprint(donorJson);
        try {
            return admit(reference, donorJson, fingerprint);
        } catch (SQLException e) {
            if (!SyncDatabase.isDuplicateKey(e)) {
                throw e;
            }
            // another thread or node inserted the same pair between our read and our insert: its row now decides
            return admit(reference, donorJson, fingerprint);
        }
    }

    private Admission admit(ReferencePair reference, String donorJson, String fingerprint) throws SQLException {
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Admission admission = admit(c, reference, donorJson, fingerprint, now);
                c.commit();
                return admission;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private Admission admit(Connection c, ReferencePair reference, String donorJson, String fingerprint, OffsetDateTime now)
            throws SQLException {
        Optional<LedgerEntry> existing = find(c, reference, " FOR UPDATE");
        if (existing.isEmpty()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO sync_ledger (" + COLUMNS
                    + ") VALUES (?, ?, 'RECEIVED', ?, ?, NULL, NULL, 0, NULL, ?, NULL, NULL, ?, NULL)")) {
                insert.setString(1, reference.referenceSource());
                insert.setString(2, reference.referenceId());
                insert.setString(3, donorJson);
                insert.setString(4, fingerprint);
                insert.setObject(5, now);
                insert.setObject(6, now);
                insert.executeUpdate();
            }
            recordHistory(c, reference, SyncState.RECEIVED, null, now);
            logChange(reference, SyncState.RECEIVED, "new donor");
            return Admission.NEW;
        }
        LedgerEntry entry = existing.get();
        boolean same = entry.fingerprint().equals(fingerprint);
        Admission admission = switch (entry.state()) {
            case FAILED -> Admission.RETRY;
            case PENDING -> same ? Admission.UNCHANGED : Admission.HELD_WHILE_PENDING;
            case RECEIVED, SYNCED -> same ? Admission.UNCHANGED : Admission.CHANGED;
        };
        if (admission == Admission.UNCHANGED) {
            LOG.debug("{} unchanged, {}", reference, entry.state());
            return admission;
        }
        SyncState next = admission == Admission.HELD_WHILE_PENDING ? SyncState.PENDING : SyncState.RECEIVED;
        try (PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET state = ?, donor_json = ?, fingerprint = ?, "
                + "attempts = CASE WHEN ? THEN 0 ELSE attempts END, last_error = NULL, updated_at = ? "
                + "WHERE reference_source = ? AND reference_id = ?")) {
            update.setString(1, next.name());
            update.setString(2, donorJson);
            update.setString(3, fingerprint);
            update.setBoolean(4, admission == Admission.RETRY);
            update.setObject(5, now);
            update.setString(6, reference.referenceSource());
            update.setString(7, reference.referenceId());
            update.executeUpdate();
        }
        String detail = admission.name().toLowerCase().replace('_', ' ');
        recordHistory(c, reference, next, detail, now);
        logChange(reference, next, detail + " (was " + entry.state() + ")");
        return admission;
    }

    /**
     * Takes a RECEIVED donor for processing. Returns null when it is not RECEIVED or another consumer holds it,
     * so the same donor queued twice, or on two nodes, is worked on once. The claim expires unless this node renews it
     * ({@link #renewClaims}), so a crash mid-way leaves the donor for the redrive instead of losing it.
     * {@code releasedOnly} (this node still works on the donor) refuses a lapsed claim too, taking the donor only when a
     * state change released it.
     */
    public LedgerEntry claim(ReferencePair reference, boolean releasedOnly) throws SQLException {
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET claimed_until = ?, claimed_by = ?, attempts = attempts + 1 "
                     + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' "
                     + (releasedOnly ? "AND claimed_until IS NULL" : "AND (claimed_until IS NULL OR claimed_until < ?)"))) {
            update.setObject(1, now.plus(claimLease));
            update.setString(2, node.name());
            update.setString(3, reference.referenceSource());
            update.setString(4, reference.referenceId());
            if (!releasedOnly) {
                update.setObject(5, now);
            }
            if (update.executeUpdate() == 0) {
                return null;
            }
            return find(c, reference, "").orElse(null);
        }
    }

    /**
     * Extends this node's claims on the given donors by a lease from now. A donor that has moved on, or whose claim
     * another node took over, is left alone. Returns how many claims were renewed.
     */
    public int renewClaims(Collection<ReferencePair> references) throws SQLException {
        if (references.isEmpty()) {
            return 0;
        }
        OffsetDateTime until = now().plus(claimLease);
        int renewed = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET claimed_until = ? WHERE reference_source = ? "
                     + "AND reference_id = ? AND state = 'RECEIVED' AND claimed_by = ? AND claimed_until IS NOT NULL")) {
            for (ReferencePair reference : references) {
                update.setObject(1, until);
                update.setString(2, reference.referenceSource());
                update.setString(3, reference.referenceId());
                update.setString(4, node.name());
                update.addBatch();
            }
            for (int count : update.executeBatch()) {
                renewed += Math.max(count, 0);
            }
        }
        return renewed;
    }

    /**
     * RECEIVED donors nobody holds: left by a crash or a lost in-memory hand-off. Those of a bulk load wait for its
     * worker, unless they are linked to a Contact already (a later change: the update path takes it).
     */
    public List<ReferencePair> unclaimedReceived(int limit) throws SQLException {
        List<ReferencePair> due = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT reference_source, reference_id FROM sync_ledger "
                     + "WHERE state = 'RECEIVED' AND (bulk_load_id IS NULL OR contact_id IS NOT NULL) AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY updated_at")) {
            query.setObject(1, now());
            query.setMaxRows(limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    due.add(new ReferencePair(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return due;
    }

    /**
     * Puts a RECEIVED donor into a bulk load, so the bulk worker sends it with a Batch instead of the live queue with a
     * Find and a Transaction. Returns false, changing nothing, for a donor the ledger already links to a Contact: the
     * import cannot update a Contact by its id, the live path can.
     */
    public boolean enlist(ReferencePair reference, long loadId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET bulk_load_id = ? WHERE reference_source = ? "
                     + "AND reference_id = ? AND state = 'RECEIVED' AND contact_id IS NULL")) {
            update.setLong(1, loadId);
            update.setString(2, reference.referenceSource());
            update.setString(3, reference.referenceId());
            return update.executeUpdate() == 1;
        }
    }

    /**
     * Claims up to {@code size} RECEIVED donors of the oldest ready bulk load that has any left, all of one
     * referenceSource, like {@link #claim}: a crash mid-chunk leaves them to be claimed again once the lease has passed.
     */
    public BulkChunk claimBulkChunk(int size) throws SQLException {
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection()) {
            long loadId;
            String source;
            try (PreparedStatement first = c.prepareStatement("SELECT l.bulk_load_id, l.reference_source FROM sync_ledger l "
                    + "JOIN bulk_load b ON b.id = l.bulk_load_id WHERE l.state = 'RECEIVED' AND l.contact_id IS NULL "
                    + "AND b.ready_at IS NOT NULL AND (l.claimed_until IS NULL OR l.claimed_until < ?) ORDER BY l.bulk_load_id, l.received_at")) {
                first.setObject(1, now);
                first.setMaxRows(1);
                try (ResultSet row = first.executeQuery()) {
                    if (!row.next()) {
                        return BulkChunk.none();
                    }
                    loadId = row.getLong(1);
                    source = row.getString(2);
                }
            }
            List<LedgerEntry> claimed = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + " FROM sync_ledger WHERE bulk_load_id = ? "
                    + "AND reference_source = ? AND state = 'RECEIVED' AND contact_id IS NULL AND (claimed_until IS NULL OR claimed_until < ?) "
                    + "ORDER BY received_at");
                 PreparedStatement claim = c.prepareStatement("UPDATE sync_ledger SET claimed_until = ?, claimed_by = ?, attempts = attempts + 1 "
                         + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' AND (claimed_until IS NULL OR claimed_until < ?)")) {
                query.setLong(1, loadId);
                query.setString(2, source);
                query.setObject(3, now);
                query.setMaxRows(size);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        LedgerEntry entry = toEntry(rows);
                        claim.setObject(1, now.plus(claimLease));
                        claim.setString(2, node.name());
                        claim.setString(3, entry.referenceSource());
                        claim.setString(4, entry.referenceId());
                        claim.setObject(5, now);
                        if (claim.executeUpdate() == 1) {
                            claimed.add(entry);
                        }
                    }
                }
            }
            return new BulkChunk(loadId, source, claimed);
        }
    }

    /** The donors of a bulk load by state. */
    public Map<SyncState, Long> countsInLoad(long loadId) throws SQLException {
        return countByState(" WHERE bulk_load_id = ?", loadId);
    }

    /**
     * Every PENDING donor the poll is due to ask about (the same rule as {@link #claimForPoll}), with its submit time,
     * claiming none: a Contact Query answers for all of them at once.
     */
    public Map<ReferencePair, OffsetDateTime> duePending(Duration after) throws SQLException {
        OffsetDateTime due = now().minus(after);
        Map<ReferencePair, OffsetDateTime> pending = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT reference_source, reference_id, submitted_at FROM sync_ledger "
                     + "WHERE " + DUE_FOR_POLL)) {
            query.setObject(1, due);
            query.setObject(2, due);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    pending.put(new ReferencePair(rows.getString(1), rows.getString(2)), rows.getObject(3, OffsetDateTime.class));
                }
            }
        }
        return pending;
    }

    /** The PENDING donors submitted longest ago, oldest first: their reference pair, submit time and last poll (null when none). */
    public List<Map<String, Object>> oldestPending(int limit) throws SQLException {
        List<Map<String, Object>> oldest = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT reference_source, reference_id, submitted_at, polled_at FROM sync_ledger "
                     + "WHERE state = 'PENDING' ORDER BY submitted_at, reference_source, reference_id")) {
            query.setMaxRows(limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Map<String, Object> donor = new LinkedHashMap<>();
                    donor.put("referenceSource", rows.getString(1));
                    donor.put("referenceId", rows.getString(2));
                    donor.put("submittedAt", rows.getObject(3, OffsetDateTime.class));
                    donor.put("polledAt", rows.getObject(4, OffsetDateTime.class));
                    oldest.add(donor);
                }
            }
        }
        return oldest;
    }

    /**
     * The lookup found the donor's Contact: RECEIVED -> SYNCED, with {@code baseline} as what Virtuous is taken to hold.
     * What the donor carries beyond it goes out through {@link #reopenIfChanged}.
     */
    public void markSynced(ReferencePair reference, long contactId, String resolvedBy, Map<String, Object> baseline) throws SQLException {
        transition(reference, SyncState.SYNCED, "state = 'RECEIVED'", linked(contactId, resolvedBy),
                "contact_id = ?, resolved_by = ?, synced_at = ?, baseline_json = ?, last_error = NULL",
                contactId, resolvedBy, now(), toJson(baseline));
    }

    /**
     * Virtuous accepted the submit ({@code submittedWith}, the history's words: "Contact Transaction" or "Contact Batch"):
     * RECEIVED -> PENDING, with the payload sent as the baseline. Guarded, so a late write can never undo what a webhook
     * already recorded. Returns false when the donor had already moved on.
     */
    public boolean markPending(ReferencePair reference, Map<String, Object> submitted, String submittedWith) throws SQLException {
        return transition(reference, SyncState.PENDING, "state = 'RECEIVED'", submittedWith + " submitted",
                "submitted_at = ?, baseline_json = ?, polled_at = NULL, last_error = NULL", now(), toJson(submitted));
    }

    /**
     * Virtuous holds this donor's reference pair in a Contact (webhook or poll, through the resolution aggregator):
     * PENDING or FAILED -> SYNCED; a SYNCED row pointing at another Contact is re-pointed (the aggregator only
     * completes that for a merge in Virtuous).
     * RECEIVED rows are left to the lookup: the donor's newest data has not been sent yet. Returns whether it changed.
     */
    public boolean resolve(ReferencePair reference, long contactId, String resolvedBy) throws SQLException {
        return transition(reference, SyncState.SYNCED,
                "(state IN ('PENDING', 'FAILED') OR state = 'SYNCED' AND contact_id <> " + contactId + ")",
                linked(contactId, resolvedBy), "contact_id = ?, resolved_by = ?, synced_at = ?, last_error = NULL",
                contactId, resolvedBy, now());
    }

    /** The update path applied the donor to its Contact: RECEIVED -> SYNCED, the donor applied becomes the baseline. */
    public void markUpdated(ContactUpdate update, Map<String, Object> contact) throws SQLException {
        transition(update.reference(), SyncState.SYNCED, "state = 'RECEIVED'", "contactId=" + update.contactId() + " updated: " + update.summary(),
                "contact_id = ?, synced_at = ?, baseline_json = ?, contact_json = COALESCE(?, contact_json), last_error = NULL",
                update.contactId(), now(), toJson(update.donor()), contact == null ? null : toJson(contact));
    }

    /**
     * The donor's Contact answered 404 and its reference pair was found on another one (a merge in Virtuous). The row
     * stays RECEIVED and claimed: the update goes on against the surviving Contact.
     */
    public void relink(ReferencePair reference, long contactId) throws SQLException {
        OffsetDateTime now = now();
        String detail = "its Contact is gone; contactId=" + contactId + " holds its reference pair now (merged in Virtuous)";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET contact_id = ?, updated_at = ? "
                    + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED'")) {
                update.setLong(1, contactId);
                update.setObject(2, now);
                update.setString(3, reference.referenceSource());
                update.setString(4, reference.referenceId());
                boolean relinked = update.executeUpdate() == 1;
                if (relinked) {
                    recordHistory(c, reference, SyncState.RECEIVED, detail, now);
                }
                c.commit();
                if (relinked) {
                    logChange(reference, SyncState.RECEIVED, detail);
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * A SYNCED donor whose data differs from what Virtuous took (changed while PENDING, or carrying fields only an
     * update applies): SYNCED -> RECEIVED, to go down the update path. Returns whether it did.
     */
    public boolean reopenIfChanged(ReferencePair reference) throws SQLException {
        LedgerEntry entry = entry(reference);
        if (entry == null || entry.state() != SyncState.SYNCED) {
            return false;
        }
        Map<String, Object> changes = DonorChanges.between(entry.baseline(), entry.donor());
        return !changes.isEmpty() && transition(reference, SyncState.RECEIVED, "state = 'SYNCED' AND fingerprint = '" + entry.fingerprint() + "'",
                "changed since Virtuous took it: " + String.join(", ", changes.keySet()), "attempts = 0");
    }

    /** How a SYNCED change reads in the log and the history. */
    private static String linked(long contactId, String resolvedBy) {
        return "contactId=" + contactId + " (" + resolvedBy + ")";
    }

    public void markFailed(ReferencePair reference, String reason) throws SQLException {
        transition(reference, SyncState.FAILED, null, reason, "last_error = ?", toColumn(reason));
    }

    /** An operator discarded the donor's dead letter: it stays FAILED, with the reason as its last word. */
    public void markDiscarded(ReferencePair reference, String reason) throws SQLException {
        String note = "dead letter discarded: " + reason;
        transition(reference, SyncState.FAILED, "state = 'FAILED'", note, "last_error = ?", toColumn(note));
    }

    /**
     * PENDING donors submitted at least {@code after} ago and not polled within {@code after}, oldest poll first,
     * at most {@code limit}. Each is claimed by moving its polled_at, so nodes polling at once never take the same donor.
     */
    public List<LedgerEntry> claimForPoll(Duration after, int limit) throws SQLException {
        OffsetDateTime now = now();
        OffsetDateTime due = now.minus(after);
        List<LedgerEntry> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS + ", polled_at FROM sync_ledger WHERE " + DUE_FOR_POLL
                     + " ORDER BY polled_at NULLS FIRST, submitted_at");
             PreparedStatement claim = c.prepareStatement("UPDATE sync_ledger SET polled_at = ? WHERE reference_source = ? "
                     + "AND reference_id = ? AND state = 'PENDING' AND (polled_at IS NULL OR polled_at = ?)")) {
            query.setObject(1, due);
            query.setObject(2, due);
            query.setMaxRows(limit);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    LedgerEntry entry = toEntry(rows);
                    claim.setObject(1, now);
                    claim.setString(2, entry.referenceSource());
                    claim.setString(3, entry.referenceId());
                    claim.setObject(4, rows.getObject("polled_at", OffsetDateTime.class));
                    if (claim.executeUpdate() == 1) {
                        claimed.add(entry);
                    }
                }
            }
        }
        return claimed;
    }

    /** Oldest first. */
    public List<Map<String, Object>> history(ReferencePair reference) throws SQLException {
        List<Map<String, Object>> history = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT state, detail, at FROM sync_history "
                     + "WHERE reference_source = ? AND reference_id = ? ORDER BY id")) {
            query.setString(1, reference.referenceSource());
            query.setString(2, reference.referenceId());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Map<String, Object> step = new LinkedHashMap<>();
                    step.put("at", rows.getObject("at", OffsetDateTime.class).toString());
                    step.put("state", rows.getString("state"));
                    step.put("detail", rows.getString("detail"));
                    step.values().removeIf(Objects::isNull);
                    history.add(step);
                }
            }
        }
        return history;
    }

    /**
     * Moves a row to {@code state} when {@code guard} (SQL over the row, or null) holds, records the change in the
     * history and logs it. Returns false, changing nothing, when the guard did not hold or the row does not exist.
     */
    private boolean transition(ReferencePair reference, SyncState state, String guard, String detail, String assignments,
            Object... values) throws SQLException {
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET state = ?, " + assignments
                    + ", claimed_until = NULL, claimed_by = NULL, updated_at = ? WHERE reference_source = ? AND reference_id = ?"
                    + (guard == null ? "" : " AND " + guard))) {
                int i = 1;
                update.setString(i++, state.name());
                for (Object value : values) {
                    update.setObject(i++, value);
                }
                update.setObject(i++, now);
                update.setString(i++, reference.referenceSource());
                update.setString(i, reference.referenceId());
                if (update.executeUpdate() == 0) {
                    c.rollback();
                    LOG.debug("{} not moved to {}: {}", reference, state, guard);
                    return false;
                }
                recordHistory(c, reference, state, detail, now);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        logChange(reference, state, detail);
        return true;
    }

    /**
     * The one log line of a state change, written with each history row: the reference pair, the new state and why, so
     * grepping the log for a donor's pair tells its story. Detail texts never carry credentials (they come from the ledger's
     * own wording and Virtuous's error bodies).
     */
    private static void logChange(ReferencePair reference, SyncState state, String detail) {
        if (state == SyncState.FAILED) {
            LOG.warn("{} -> {}: {}", reference, state, detail);
        } else {
            LOG.info("{} -> {}: {}", reference, state, detail);
        }
    }

    private static void recordHistory(Connection c, ReferencePair reference, SyncState state, String detail, OffsetDateTime at)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO sync_history (reference_source, reference_id, state, detail, at) "
                + "VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, reference.referenceSource());
            insert.setString(2, reference.referenceId());
            insert.setString(3, state.name());
            insert.setString(4, toColumn(detail));
            insert.setObject(5, at);
            insert.executeUpdate();
        }
    }

    public LedgerEntry entry(ReferencePair reference) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, reference, "").orElse(null);
        }
    }

    /** The row as the status API shows it, with its history; null when the pair is unknown. */
    public Map<String, Object> view(String referenceSource, String referenceId) throws SQLException {
        ReferencePair reference = new ReferencePair(referenceSource, referenceId);
        LedgerEntry entry = entry(reference);
        if (entry == null) {
            return null;
        }
        Map<String, Object> view = entry.toView();
        view.put("history", history(reference));
        return view;
    }

    /**
     * Whether any donor may still learn its Contact from a webhook: one being worked on or sent (RECEIVED), one waiting
     * for Virtuous's import (PENDING), or one submitted that reached the dead letter before Virtuous resolved it.
     */
    public boolean anyAwaitingContact() throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT 1 FROM sync_ledger WHERE state IN ('RECEIVED', 'PENDING') "
                     + "OR (state = 'FAILED' AND contact_id IS NULL AND submitted_at IS NOT NULL) FETCH FIRST 1 ROWS ONLY");
             ResultSet row = query.executeQuery()) {
            return row.next();
        }
    }

    public Map<SyncState, Long> countsByState() throws SQLException {
        return countByState("");
    }

    /** Donors by state, every state present (0 when none), among the rows {@code where} selects. */
    private Map<SyncState, Long> countByState(String where, Object... values) throws SQLException {
        Map<SyncState, Long> counts = new EnumMap<>(SyncState.class);
        for (SyncState state : SyncState.values()) {
            counts.put(state, 0L);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT state, COUNT(*) FROM sync_ledger" + where + " GROUP BY state")) {
            for (int i = 0; i < values.length; i++) {
                query.setObject(i + 1, values[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    counts.put(SyncState.valueOf(rows.getString(1)), rows.getLong(2));
                }
            }
        }
        return counts;
    }

    private Optional<LedgerEntry> find(Connection c, ReferencePair reference, String lock) throws SQLException {
        try (PreparedStatement query = c.prepareStatement("SELECT " + COLUMNS
                + " FROM sync_ledger WHERE reference_source = ? AND reference_id = ?" + lock)) {
            query.setString(1, reference.referenceSource());
            query.setString(2, reference.referenceId());
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(toEntry(row)) : Optional.empty();
            }
        }
    }

    private LedgerEntry toEntry(ResultSet row) throws SQLException {
        return new LedgerEntry(
                row.getString("reference_source"),
                row.getString("reference_id"),
                SyncState.valueOf(row.getString("state")),
                fromJson(row.getString("donor_json")),
                row.getString("fingerprint"),
                row.getObject("contact_id", Long.class),
                row.getString("resolved_by"),
                row.getInt("attempts"),
                row.getString("last_error"),
                row.getObject("received_at", OffsetDateTime.class),
                row.getObject("submitted_at", OffsetDateTime.class),
                row.getObject("synced_at", OffsetDateTime.class),
                row.getObject("updated_at", OffsetDateTime.class),
                row.getString("baseline_json") == null ? null : fromJson(row.getString("baseline_json")));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    private String toJson(Map<String, Object> donor) {
        try {
            // key order fixed so that the same donor always has the same fingerprint
            return json.writeValueAsString(new TreeMap<>(donor));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("donor cannot be stored as JSON", e);
        }
    }

    private Map<String, Object> fromJson(String donorJson) {
        try {
            return json.readValue(donorJson, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("ledger row holds invalid JSON", e);
        }
    }

    private static String fingerprint(String donorJson) {
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
