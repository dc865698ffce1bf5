package org.contactsync.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.OnCamelContextStarting;
import org.apache.camel.support.SynchronizationAdapter;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.Claims;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;

/**
 * Keeps this node's ledger claims alive while it works on them, and no longer. A donor can wait an hour at the rate
 * governor or while Virtuous refuses the key; its claim is renewed every {@code sync.claim-renew-ms} for as long as the
 * exchange holding it is in flight, so the lease itself stays short and the donors of a node that crashed are taken
 * over soon after. When the exchange ends without having moved the donor on (the bundle stopping, a failure that leaves
 * it for a fresh attempt), its claim is given up at once; at start, the claims this node held before a crash are too.
 */
public class ClaimHeartbeat implements OnCamelContextStarting {

    /** The variable naming the exchange a claim is for: what a submit's marking checks (split copies it to each part). */
    public static final String CLAIMED_FOR = "claimedFor";

    private final Claims claims;
    /** The donors each in-flight exchange holds, by exchange id. */
    private final Map<String, List<ReferencePair>> held = new ConcurrentHashMap<>();

    public ClaimHeartbeat(Claims claims, long renewMillis, long leaseSeconds) {
        if (Duration.ofMillis(renewMillis).multipliedBy(2).compareTo(Duration.ofSeconds(leaseSeconds)) > 0) {
            // one late or failed renewal must not let a live node's claim lapse
            throw new IllegalArgumentException("sync.claim-renew-ms (" + renewMillis + ") must be at most half of sync.claim-lease-seconds ("
                    + leaseSeconds + "s)");
        }
        this.claims = claims;
    }

    /** Before any route consumes: nothing of this fresh process holds a claim yet, so every claim under its name is left over. */
    @Override
    public void onContextStarting(CamelContext context) {
        claims.releaseAll();
    }

    /**
     * Claims the RECEIVED donor in the exchange's body for it, as {@link Claims#claim}, and keeps the claim alive until
     * the exchange completes; the donor's row goes into the {@code entry} variable. None when another node holds it, or
     * when an exchange of this node works on it and has not moved it on: its claim may have lapsed (renewals failed while
     * the database was away, a long pause), and it must still not be worked twice.
     */
    public void claim(Exchange exchange) {
        ReferencePair reference = exchange.getMessage().getBody(ReferencePair.class);
        boolean heldHere = held.values().stream().anyMatch(references -> references.contains(reference));
        LedgerEntry entry = claims.claim(reference, exchange.getExchangeId(), heldHere);
        if (entry != null) {
            hold(exchange, List.of(reference));
        }
        exchange.setVariable("entry", entry);
    }

    /** Keeps the claims of the bulk worker's chunk (claimed for this exchange) alive until its next chunk, or the end of its run. */
    public void hold(BulkChunk chunk, Exchange exchange) {
        hold(exchange, chunk.donors().stream().map(LedgerEntry::getReference).toList());
    }

    private void hold(Exchange exchange, List<ReferencePair> references) {
        exchange.setVariable(CLAIMED_FOR, exchange.getExchangeId());
        if (held.put(exchange.getExchangeId(), references) == null) {
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    held.remove(done.getExchangeId());
                    claims.release(done.getExchangeId());
                }
            });
        }
    }

    /** Renews every claim this node holds; returns how many were renewed. */
    public int renew() {
        Set<ReferencePair> references = held.values().stream().flatMap(List::stream).collect(Collectors.toSet());
        return claims.renew(references);
    }
}
