package org.contactsync.live;

import org.apache.camel.Exchange;
import org.contactsync.bulk.BulkLoads;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.drift.DriftGuard;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.virtuous.VirtuousCallRoute;

/**
 * The machinery of the live path's two modes ({@code routes/contact-sync.camel.yaml}, {@link LivePlan}): the plan for
 * one new donor, its joining the live load while the path coalesces, and the live worker, which checks the mode and
 * sends the coalesced donors chunk by chunk to {@code direct:<prefix>-batch-submit} (the bulk path's flow: the same
 * marking, resolution and dead letter), in the rate governor's live lane.
 */
public final class LiveRoutes extends BundleRouteBuilder {

    private final LivePlan plan;
    private final BulkLoads loads;
    private final ClaimHeartbeat heartbeat;
    private final DriftGuard drift;

    /** A chunk's donors that would carry a value the organisation no longer has are held by {@code drift}, never sent. */
    public LiveRoutes(LivePlan plan, BulkLoads loads, ClaimHeartbeat heartbeat, DriftGuard drift) {
        this.plan = plan;
        this.loads = loads;
        this.heartbeat = heartbeat;
        this.drift = drift;
    }

    @Override
    public void configure() {
        step("live-plan", "For the new donor in entry: the live path's mode (liveMode, single or coalescing), its load (liveLoad), whether it spends Finds (findsPay)")
                .process(plan::plan);

        step("live-coalesce", "The new donor joins the live load, for the live worker's next Batch")
                .process(plan::coalesce);

        // its own timer: a Batch waiting for budget holds the worker, and the mode and the lanes' ETA stay current meanwhile
        from("timer:" + PREFIX + "-live-mode?period={{sync.bulk.period-ms}}").routeId(id("live-mode"))
                .description("Checks whether the live path coalesces (sync.live.max-delay) and plans each lane's ETA")
                .routeConfigurationId(id("background-errors"))
                .process(exchange -> plan.evaluate());

        from("timer:" + PREFIX + "-live-batch?period={{sync.bulk.period-ms}}").routeId(id("live-batch"))
                .description("Sends the live path's coalesced donors chunk by chunk; after a restart it resumes what was not sent")
                .routeConfigurationId(id("background-errors"))
                .process(this::nextChunk)
                // a stopping bundle finishes the chunk in hand and leaves the rest in the ledger for the next start
                .loopDoWhile(exchange -> !exchange.getVariable("chunk", BulkChunk.class).isEmpty() && exchange.getContext().getStatus().isStarted())
                    .setVariable(VirtuousCallRoute.LANE, constant("live"))
                    .to(direct("batch-submit"))
                    .process(exchange -> loads.progress(exchange.getVariable("chunk", BulkChunk.class)))
                    .process(this::nextChunk)
                .end();
    }

    /**
     * Claims the next chunk of coalesced donors for this exchange (empty until one is due), its claims held until the
     * next one; the donors the drift guard holds leave it (intake enlists donors before any drift check).
     */
    private void nextChunk(Exchange exchange) {
        BulkChunk chunk;
        do {
            chunk = drift.withoutHeld(loads.nextLiveChunk(exchange.getExchangeId(), plan.chunkRipe()));
        } while (chunk.isEmpty() && chunk.loadId() != 0);
        heartbeat.hold(chunk, exchange);
        exchange.setVariable("chunk", chunk);
    }
}
