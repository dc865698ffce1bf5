package org.contactsync.live;

import org.contactsync.bulk.BulkLoads;
import org.contactsync.bulk.ChunkWorker;
import org.contactsync.bundle.BundleRouteBuilder;

/**
 * The machinery of the live path's two modes ({@code routes/contact-sync.camel.yaml}, {@link LivePlan}): the plan for
 * one new donor, its joining the live load while the path coalesces, and the live worker, which checks the mode and
 * sends the coalesced donors chunk by chunk to {@code direct:<prefix>-batch-submit} (the bulk path's flow: the same
 * marking, resolution and dead letter), in the rate governor's live lane.
 */
public final class LiveRoutes extends BundleRouteBuilder {

    private final LivePlan plan;
    private final BulkLoads loads;
    private final ChunkWorker worker;

    public LiveRoutes(LivePlan plan, BulkLoads loads, ChunkWorker worker) {
        this.plan = plan;
        this.loads = loads;
        this.worker = worker;
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

        worker.define(this, "live-batch", "Sends the live path's coalesced donors chunk by chunk; after a restart it resumes what was not sent",
                "live", exchangeId -> loads.nextLiveChunk(exchangeId, plan.chunkRipe()));
    }
}
