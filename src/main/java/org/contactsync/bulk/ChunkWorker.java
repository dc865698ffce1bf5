package org.contactsync.bulk;

import java.util.function.Function;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.drift.DriftGuard;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.virtuous.VirtuousCallRoute;

/**
 * The worker both the bulk loads and the live path's coalesced donors are sent by: a timer route that claims chunk
 * after chunk for its exchange and takes each to {@code direct:<prefix>-batch-submit}, in its lane; after a restart it
 * resumes what was not sent. A chunk's donors that would carry a value the organisation no longer has are held by the
 * drift guard, never sent, and a chunk all of whose donors are held is followed by the next.
 */
public final class ChunkWorker {

    private final BulkLoads loads;
    private final ClaimHeartbeat heartbeat;
    private final DriftGuard drift;

    public ChunkWorker(BulkLoads loads, ClaimHeartbeat heartbeat, DriftGuard drift) {
        this.loads = loads;
        this.heartbeat = heartbeat;
        this.drift = drift;
    }

    /**
     * The worker route {@code <prefix>-name} in {@code routes}, every sync.bulk.period-ms, in the rate governor's
     * {@code lane}; {@code claim} claims the next chunk for an exchange id (empty when none is due).
     */
    public void define(RouteBuilder routes, String name, String description, String lane, Function<String, BulkChunk> claim) {
        routes.from("timer:" + BundleRouteBuilder.PREFIX + "-" + name + "?period={{sync.bulk.period-ms}}").routeId(BundleRouteBuilder.id(name))
                .description(description)
                .routeConfigurationId(BundleRouteBuilder.id("background-errors"))
                .process(exchange -> next(exchange, claim))
                // a stopping bundle finishes the chunk in hand and leaves the rest in the ledger for the next start
                .loopDoWhile(exchange -> !exchange.getVariable("chunk", BulkChunk.class).isEmpty() && exchange.getContext().getStatus().isStarted())
                    .setVariable(VirtuousCallRoute.LANE, routes.constant(lane))
                    .to(BundleRouteBuilder.direct("batch-submit"))
                    .process(exchange -> loads.progress(exchange.getVariable("chunk", BulkChunk.class)))
                    .process(exchange -> next(exchange, claim))
                .end();
    }

    /** Claims the next chunk for this exchange, without the donors the drift guard holds; its claims held until the next one. */
    private void next(Exchange exchange, Function<String, BulkChunk> claim) {
        BulkChunk chunk;
        do {
            chunk = drift.withoutHeld(claim.apply(exchange.getExchangeId()));
        } while (chunk.isEmpty() && chunk.loadId() != 0);
        heartbeat.hold(chunk, exchange);
        exchange.setVariable("chunk", chunk);
    }
}
