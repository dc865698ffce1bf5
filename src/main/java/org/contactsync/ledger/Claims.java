package org.contactsync.ledger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims on RECEIVED donors: which node works on a donor now. A claim is a lease this node renews while it works
 * ({@code ClaimHeartbeat}); every state change releases it. A node gives its claims up when it stops and takes back
 * what it held when it starts again under the same name (nothing of its own is in flight then), so a restart does not
 * leave donors waiting out the lease; a crashed node's claims pass to the others once the lease has run out.
 */
public class Claims {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");

    private final SyncLedger ledger;
    private final Duration lease;
    private final String node;

    public Claims(SyncLedger ledger, long leaseSeconds, ClusterNode node) {
        this.ledger = ledger;
        this.lease = Duration.ofSeconds(leaseSeconds);
        this.node = node.name();
    }

    /**
     * Takes a RECEIVED donor for processing by the exchange {@code exchangeId}. Returns null when it is not RECEIVED or another consumer holds it,
     * so the same donor queued twice, or on two nodes, is worked on once. The claim expires unless this node renews it,
     * so a crash mid-way leaves the donor for the redrive instead of losing it.
     * {@code releasedOnly} (this node still works on the donor) refuses a lapsed claim too, taking the donor only when a
     * state change released it.
     */
    public LedgerEntry claim(ReferencePair reference, String exchangeId, boolean releasedOnly) {
        OffsetDateTime now = ledger.now();
        int claimed = releasedOnly
                ? ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = ?, claimed_by = ?, claimed_for = ?, attempts = attempts + 1 "
                        + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' AND claimed_until IS NULL",
                        now.plus(lease), node, exchangeId, reference.referenceSource(), reference.referenceId())
                : ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = ?, claimed_by = ?, claimed_for = ?, attempts = attempts + 1 "
                        + "WHERE reference_source = ? AND reference_id = ? AND state = 'RECEIVED' AND (claimed_until IS NULL OR claimed_until < ?)",
                        now.plus(lease), node, exchangeId, reference.referenceSource(), reference.referenceId(), now);
        return claimed == 0 ? null : ledger.entry(reference);
    }

    /**
     * Extends this node's claims on the given donors by a lease from now. A donor that has moved on, or whose claim
     * another node took over, is left alone. Returns how many claims were renewed.
     */
    public int renew(Collection<ReferencePair> references) {
        if (references.isEmpty()) {
            return 0;
        }
        OffsetDateTime until = ledger.now().plus(lease);
        int renewed = 0;
        for (int count : ledger.jdbc().batchUpdate("UPDATE sync_ledger SET claimed_until = ? WHERE reference_source = ? AND reference_id = ? "
                + "AND state = 'RECEIVED' AND claimed_by = ? AND claimed_until IS NOT NULL",
                references.stream().map(reference -> new Object[] {until, reference.referenceSource(), reference.referenceId(), node}).toList())) {
            renewed += Math.max(count, 0);
        }
        return renewed;
    }

    /**
     * Gives up the claims the exchange still holds: it has ended without moving those donors on (the bundle stopping, a
     * failure that leaves a donor for a fresh attempt), so they are free for the redrive at once instead of after the lease.
     */
    public void release(String exchangeId) {
        ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = NULL, claimed_by = NULL, claimed_for = NULL WHERE claimed_by = ? "
                + "AND claimed_for = ? AND state = 'RECEIVED'", node, exchangeId);
    }

    /**
     * Gives up every claim this node holds: at start (a claim of ours is left from before a crash or a stop, and no
     * exchange of this fresh process holds it). The donors go to the redrive at once.
     */
    public void releaseAll() {
        int released = ledger.jdbc().update("UPDATE sync_ledger SET claimed_until = NULL, claimed_by = NULL, claimed_for = NULL "
                + "WHERE claimed_by = ? AND claimed_until IS NOT NULL", node);
        if (released > 0) {
            LOG.info("{} donor claim(s) of node {} released, for the redrive to take on", released, node);
        }
    }

    /**
     * RECEIVED donors nobody holds: left by a crash or a lost in-memory hand-off. Those of a bulk load wait for its
     * worker, unless they are linked to a Contact already (a later change: the update path takes it).
     */
    public List<ReferencePair> unclaimedReceived(int limit) {
        return ledger.jdbc().query("SELECT reference_source, reference_id FROM sync_ledger WHERE state = 'RECEIVED' "
                + "AND (bulk_load_id IS NULL OR contact_id IS NOT NULL) AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY updated_at LIMIT ?",
                (row, number) -> new ReferencePair(row.getString(1), row.getString(2)), ledger.now(), limit);
    }
}
