package org.contactsync.cluster;

import org.apache.camel.Exchange;
import org.apache.camel.component.seda.SedaEndpoint;
import org.contactsync.BundleRouteBuilder;
import org.contactsync.ledger.Claims;
import org.contactsync.lookup.LookupRoutes;
import org.contactsync.virtuous.ApiAccessGate;

/**
 * The timers that keep this node's share of the ledger moving: the claim heartbeat (and the count of live nodes), and
 * the redrive of RECEIVED donors nobody holds (left by a crash, or by a full queue).
 */
public final class ClusterRoutes extends BundleRouteBuilder {

    private final ClaimHeartbeat heartbeat;
    private final ClusterMembers members;
    private final Claims claims;
    private final ApiAccessGate gate;
    private final int redriveBatch;

    /** {@code redriveBatch}: sync.redrive.batch-size, the donors one redrive run queues at most. */
    public ClusterRoutes(ClaimHeartbeat heartbeat, ClusterMembers members, Claims claims, ApiAccessGate gate, int redriveBatch) {
        this.heartbeat = heartbeat;
        this.members = members;
        this.claims = claims;
        this.gate = gate;
        this.redriveBatch = redriveBatch;
    }

    @Override
    public void configure() {
        from("timer:" + PREFIX + "-claim-heartbeat?period={{sync.claim-renew-ms}}").routeId(id("claim-heartbeat"))
                .description("Renews this node's claims on the donors it is working on, and counts the live nodes")
                .process(exchange -> heartbeat.renew())
                .process(exchange -> members.beat());

        from("timer:" + PREFIX + "-received-redrive?period={{sync.redrive.period-ms}}").routeId(id("received-redrive"))
                .description("Re-queues RECEIVED donors nobody holds (left by a crash, or queued in memory when the bundle stopped)")
                // only while this node's queue is empty (a donor still in it is not lost, and queueing it again would pile up
                // copies while the donors ahead of it wait for budget), and while Virtuous can be called at all
                .filter(exchange -> queueIsEmpty(exchange) && gate.isUsable())
                    .process(exchange -> exchange.getMessage().setBody(claims.unclaimedReceived(redriveBatch)))
                    .split(body())
                        .to(direct("sync-queue"));
    }

    private static boolean queueIsEmpty(Exchange exchange) {
        SedaEndpoint queue = exchange.getContext().getEndpoint(exchange.getContext().resolvePropertyPlaceholders(LookupRoutes.QUEUE), SedaEndpoint.class);
        return exchange.getContext().getStatus().isStarted() && queue.getCurrentQueueSize() == 0;
    }
}
