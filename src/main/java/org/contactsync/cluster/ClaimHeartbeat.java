package org.contactsync.cluster;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;

/**
 * Keeps this node's ledger claims alive while it works on them. A donor can wait an hour at the rate governor or while
 * Virtuous refuses the key; its claim is renewed every {@code sync.claim-renew-ms} for as long as the exchange holding
 * it is in flight, so the lease itself stays short and the donors of a node that crashed are taken over soon after.
 */
public class ClaimHeartbeat {

    private final SyncLedger ledger;
    /** The donors each in-flight exchange holds, by exchange id. */
    private final Map<String, List<ReferencePair>> held = new ConcurrentHashMap<>();

    public ClaimHeartbeat(SyncLedger ledger, long renewMillis, long leaseSeconds) {
        if (Duration.ofMillis(renewMillis).multipliedBy(2).compareTo(Duration.ofSeconds(leaseSeconds)) > 0) {
            // one late or failed renewal must not let a live node's claim lapse
            throw new IllegalArgumentException("sync.claim-renew-ms (" + renewMillis + ") must be at most half of sync.claim-lease-seconds ("
                    + leaseSeconds + "s)");
        }
        this.ledger = ledger;
    }

    /**
     * Claims a RECEIVED donor for the exchange, as {@link SyncLedger#claim}, and keeps the claim alive until the exchange
     * completes. Null when another node holds it, or when an exchange of this node works on it and has not moved it on:
     * its claim may have lapsed (renewals failed while the database was away, a long pause), and it must still not be
     * worked twice.
     */
    public LedgerEntry claim(ReferencePair reference, Exchange exchange) throws SQLException {
        boolean heldHere = held.values().stream().anyMatch(references -> references.contains(reference));
        LedgerEntry entry = ledger.claim(reference, heldHere);
        if (entry != null) {
            hold(exchange, List.of(reference));
        }
        return entry;
    }

    /** Keeps the claims of the bulk worker's chunk alive until its next chunk, or the end of its run. */
    public void hold(BulkChunk chunk, Exchange exchange) {
        hold(exchange, chunk.donors().stream().map(LedgerEntry::getReference).toList());
    }

    private void hold(Exchange exchange, List<ReferencePair> references) {
        if (held.put(exchange.getExchangeId(), references) == null) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    held.remove(done.getExchangeId());
                }
            });
        }
    }

    /** Renews every claim this node holds; returns how many were renewed. */
    public int renew() throws SQLException {
        Set<ReferencePair> references = held.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        return ledger.renewClaims(references);
    }
}
