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
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable sync ledger: one row per reference pair. Every state change goes through here and is logged
 * as one line with the reference pair, so the log reads as the history of each donor.
 */
public class SyncLedger {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");
    private static final String COLUMNS = "reference_source, reference_id, state, donor_json, fingerprint, contact_id, resolved_by, "
            + "attempts, last_error, received_at, submitted_at, synced_at, updated_at";
    private static final String DUPLICATE_KEY = "23505";

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration claimLease;
    private final ObjectMapper json = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public SyncLedger(DataSource dataSource, Clock clock, long claimLeaseSeconds) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.claimLease = Duration.ofSeconds(claimLeaseSeconds);
    }

    /** Records a validated donor; idempotent on the reference pair and the donor's content. */
    public Admission receive(ReferencePair reference, Map<String, Object> donor) throws SQLException {
        String donorJson = toJson(donor);
        String fingerprint = fingerprint(donorJson);
        try {
            return admit(reference, donorJson, fingerprint);
        } catch (SQLException e) {
            if (!DUPLICATE_KEY.equals(e.getSQLState())) {
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
                    + ") VALUES (?, ?, 'RECEIVED', ?, ?, NULL, NULL, 0, NULL, ?, NULL, NULL, ?)")) {
                insert.setString(1, reference.referenceSource());
                insert.setString(2, reference.referenceId());
                insert.setString(3, donorJson);
                insert.setString(4, fingerprint);
                insert.setObject(5, now);
                insert.setObject(6, now);
                insert.executeUpdate();
            }
            LOG.info("{} RECEIVED", reference);
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
        LOG.info("{} {} -> {} ({})", reference, entry.state(), next, admission.name().toLowerCase().replace('_', ' '));
        return admission;
    }

    /**
     * Takes a RECEIVED donor for processing. Returns null when it is not RECEIVED or another consumer holds it,
     * so the same donor queued twice, or on two nodes, is worked on once. The claim expires, so a crash mid-way
     * leaves the donor for the redrive instead of losing it.
     */
    public LedgerEntry claim(ReferencePair reference) throws SQLException {
        OffsetDateTime now = now();
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET claimed_until = ?, attempts = attempts + 1 "
                     + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' "
                     + "AND (claimed_until IS NULL OR claimed_until < ?)")) {
            update.setObject(1, now.plus(claimLease));
            update.setString(2, reference.referenceSource());
            update.setString(3, reference.referenceId());
            update.setObject(4, now);
            if (update.executeUpdate() == 0) {
                return null;
            }
            return find(c, reference, "").orElse(null);
        }
    }

    /** RECEIVED donors nobody holds: left by a crash or a lost in-memory hand-off. */
    public List<ReferencePair> unclaimedReceived(int limit) throws SQLException {
        List<ReferencePair> due = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT reference_source, reference_id FROM sync_ledger "
                     + "WHERE state = 'RECEIVED' AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY updated_at")) {
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

    public void markSynced(ReferencePair reference, long contactId, String resolvedBy) throws SQLException {
        transition(reference, SyncState.SYNCED, "contact_id = ?, resolved_by = ?, synced_at = ?, synced_fingerprint = fingerprint, last_error = NULL",
                contactId, resolvedBy, now());
        LOG.info("{} -> SYNCED contactId={} ({})", reference, contactId, resolvedBy);
    }

    /**
     * Virtuous says this reference pair lives in a Contact (a webhook or a poll). Returns false for a pair the ledger
     * does not hold: events fire for every Contact of the organisation, not only ours. A repeated confirmation is a
     * no-op; a different Contact id (a merge in Virtuous) re-points the row.
     */
    public boolean confirm(ReferencePair reference, long contactId, String resolvedBy) throws SQLException {
        LedgerEntry entry = entry(reference);
        if (entry == null) {
            return false;
        }
        boolean known = entry.state() == SyncState.SYNCED && Long.valueOf(contactId).equals(entry.contactId());
        if (!known && entry.state() != SyncState.RECEIVED) {
            transition(reference, SyncState.SYNCED, "contact_id = ?, resolved_by = ?, synced_at = ?, "
                    + "synced_fingerprint = submitted_fingerprint, last_error = NULL", contactId, resolvedBy, now());
            LOG.info("{} {} -> SYNCED contactId={} ({})", reference, entry.state(), contactId, resolvedBy);
        }
        return true;
    }

    public void markPending(ReferencePair reference) throws SQLException {
        transition(reference, SyncState.PENDING, "submitted_at = ?, submitted_fingerprint = fingerprint, last_error = NULL", now());
        LOG.info("{} -> PENDING (Contact Transaction submitted)", reference);
    }

    public void markFailed(ReferencePair reference, String reason) throws SQLException {
        transition(reference, SyncState.FAILED, "last_error = ?", truncate(reason, 4000));
        LOG.warn("{} -> FAILED: {}", reference, reason);
    }

    private void transition(ReferencePair reference, SyncState state, String assignments, Object... values) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE sync_ledger SET state = ?, " + assignments
                     + ", claimed_until = NULL, updated_at = ? WHERE reference_source = ? AND reference_id = ?")) {
            int i = 1;
            update.setString(i++, state.name());
            for (Object value : values) {
                update.setObject(i++, value);
            }
            update.setObject(i++, now());
            update.setString(i++, reference.referenceSource());
            update.setString(i, reference.referenceId());
            update.executeUpdate();
        }
    }

    public LedgerEntry entry(ReferencePair reference) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, reference, "").orElse(null);
        }
    }

    /** The row as the status API shows it; null when the pair is unknown. */
    public Map<String, Object> view(String referenceSource, String referenceId) throws SQLException {
        LedgerEntry entry = entry(new ReferencePair(referenceSource, referenceId));
        return entry == null ? null : entry.toView();
    }

    public Map<SyncState, Long> countsByState() throws SQLException {
        Map<SyncState, Long> counts = new EnumMap<>(SyncState.class);
        for (SyncState state : SyncState.values()) {
            counts.put(state, 0L);
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement query = c.prepareStatement("SELECT state, COUNT(*) FROM sync_ledger GROUP BY state");
             ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                counts.put(SyncState.valueOf(rows.getString(1)), rows.getLong(2));
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
                row.getObject("updated_at", OffsetDateTime.class));
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

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
