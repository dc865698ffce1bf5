package org.contactsync.ledger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The background workers' share of the ledger: the pending poll's leases on PENDING donors (a node polls a donor by
 * moving its {@code polled_at}, so nodes polling at once never take the same one) and the bulk worker's chunks of a
 * bulk load's RECEIVED donors (claimed like a live donor, so a crash mid-chunk leaves them for the next run).
 */
public class Leases {

    /** PENDING, submitted at least the poll's wait ago and not polled within it (both parameters: now minus that wait). */
    private static final String DUE_FOR_POLL = "state = 'PENDING' AND submitted_at <= ? AND (polled_at IS NULL OR polled_at <= ?)";

    private final SyncLedger ledger;
    private final Duration claimLease;
    private final String node;

    public Leases(SyncLedger ledger, long claimLeaseSeconds, ClusterNode node) {
        this.ledger = ledger;
        this.claimLease = Duration.ofSeconds(claimLeaseSeconds);
        this.node = node.name();
    }

    /**
     * Every PENDING donor the poll is due to ask about (the same rule as {@link #claimForPoll}), with its submit time,
     * claiming none: a Contact Query answers for all of them at once.
     */
    public Map<ReferencePair, OffsetDateTime> duePending(Duration after) {
        OffsetDateTime due = ledger.now().minus(after);
        Map<ReferencePair, OffsetDateTime> pending = new LinkedHashMap<>();
        ledger.jdbc().query("SELECT reference_source, reference_id, submitted_at FROM sync_ledger WHERE " + DUE_FOR_POLL,
                row -> {
                    pending.put(new ReferencePair(row.getString(1), row.getString(2)), row.getObject(3, OffsetDateTime.class));
                }, due, due);
        return pending;
    }

    /**
     * PENDING donors submitted at least {@code after} ago and not polled within {@code after}, oldest poll first,
     * at most {@code limit}. Each is claimed by moving its polled_at, so nodes polling at once never take the same donor.
     */
    public List<LedgerEntry> claimForPoll(Duration after, int limit) {
        OffsetDateTime now = ledger.now();
        OffsetDateTime due = now.minus(after);
        List<Polled> candidates = ledger.jdbc().query("SELECT " + SyncLedger.COLUMNS + ", polled_at FROM sync_ledger WHERE " + DUE_FOR_POLL
                + " ORDER BY polled_at NULLS FIRST, submitted_at LIMIT ?",
                (row, number) -> new Polled(ledger.rows().mapRow(row, number), row.getObject("polled_at", OffsetDateTime.class)), due, due, limit);
        List<LedgerEntry> claimed = new ArrayList<>();
        for (Polled candidate : candidates) {
            LedgerEntry entry = candidate.entry();
            if (ledger.jdbc().update("UPDATE sync_ledger SET polled_at = ? WHERE reference_source = ? AND reference_id = ? "
                    + "AND state = 'PENDING' AND (polled_at IS NULL OR polled_at = ?)", now, entry.referenceSource(), entry.referenceId(),
                    candidate.polledAt()) == 1) {
                claimed.add(entry);
            }
        }
        return claimed;
    }

    /**
     * Puts a RECEIVED donor into a bulk load, so the bulk worker sends it with a Batch instead of the live queue with a
     * Find and a Transaction. Returns false, changing nothing, for a donor the ledger already links to a Contact: the
     * import cannot update a Contact by its id, the live path can.
     */
    public boolean enlist(ReferencePair reference, long loadId) {
        return ledger.jdbc().update("UPDATE sync_ledger SET bulk_load_id = ? WHERE reference_source = ? AND reference_id = ? "
                + "AND state = 'RECEIVED' AND contact_id IS NULL", loadId, reference.referenceSource(), reference.referenceId()) == 1;
    }

    /**
     * Claims up to {@code size} RECEIVED donors of the oldest ready bulk load that has any left, all of one
     * referenceSource, for the bulk worker's exchange {@code exchangeId}: a crash mid-chunk leaves them to be claimed again once the lease has passed.
     * {@code live}: the loads the live path opened while coalescing (its own worker sends them), or the others.
     */
    public BulkChunk claimBulkChunk(int size, String exchangeId, boolean live) {
        OffsetDateTime now = ledger.now();
        List<BulkChunk> oldest = ledger.jdbc().query("SELECT l.bulk_load_id, l.reference_source FROM sync_ledger l "
                + "JOIN bulk_load b ON b.id = l.bulk_load_id WHERE l.state = 'RECEIVED' AND l.contact_id IS NULL "
                + "AND b.ready_at IS NOT NULL AND b.live = ? AND (l.claimed_until IS NULL OR l.claimed_until < ?) AND " + DriftHolds.notHeld("l")
                + " ORDER BY l.bulk_load_id, l.received_at LIMIT 1",
                (row, number) -> new BulkChunk(row.getLong(1), row.getString(2), List.of()), live, now);
        if (oldest.isEmpty()) {
            return BulkChunk.none();
        }
        long loadId = oldest.get(0).loadId();
        String source = oldest.get(0).referenceSource();
        List<LedgerEntry> candidates = ledger.jdbc().query("SELECT " + SyncLedger.COLUMNS + " FROM sync_ledger WHERE bulk_load_id = ? "
                + "AND reference_source = ? AND state = 'RECEIVED' AND contact_id IS NULL AND (claimed_until IS NULL OR claimed_until < ?) "
                + "AND " + DriftHolds.notHeld("sync_ledger") + " ORDER BY received_at LIMIT ?", ledger.rows(), loadId, source, now, size);
        List<LedgerEntry> claimed = new ArrayList<>();
        // one commit for the chunk's claims, not one a donor
        ledger.database().transactions().executeWithoutResult(status -> {
            for (LedgerEntry entry : candidates) {
                if (ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = ?, claimed_by = ?, claimed_for = ?, attempts = attempts + 1 "
                        + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' AND (claimed_until IS NULL OR claimed_until < ?)",
                        now.plus(claimLease), node, exchangeId, entry.referenceSource(), entry.referenceId(), now) == 1) {
                    claimed.add(entry);
                }
            }
        });
        return new BulkChunk(loadId, source, claimed);
    }

    /** The donors of a bulk load by state, every state present (0 when none). */
    public Map<SyncState, Long> countsInLoad(long loadId) {
        Map<SyncState, Long> counts = new EnumMap<>(SyncState.class);
        for (SyncState state : SyncState.values()) {
            counts.put(state, 0L);
        }
        ledger.jdbc().query("SELECT state, COUNT(*) FROM sync_ledger WHERE bulk_load_id = ? GROUP BY state",
                row -> {
                    counts.put(SyncState.valueOf(row.getString(1)), row.getLong(2));
                }, loadId);
        return counts;
    }

    private record Polled(LedgerEntry entry, OffsetDateTime polledAt) {
    }
}
