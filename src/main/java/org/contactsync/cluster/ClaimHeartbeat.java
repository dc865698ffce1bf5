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
     * Holds the claims of the exchange's donor (variable {@code entry}) or bulk chunk (variable {@code chunk}) until the
     * exchange completes; a later call for the same exchange (the bulk worker's next chunk) replaces what it held.
     */
    public void hold(Exchange exchange) {
        List<ReferencePair> references;
        if (exchange.getVariable("chunk") instanceof BulkChunk chunk) {
            references = chunk.donors().stream().map(LedgerEntry::getReference).toList();
        } else if (exchange.getVariable("entry") instanceof LedgerEntry entry) {
            references = List.of(entry.getReference());
        } else {
            return;
        }
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
