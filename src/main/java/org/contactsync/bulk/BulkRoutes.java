package org.contactsync.bulk;

import java.util.List;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.drift.DriftGuard;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.virtuous.VirtuousCallRoute;

/**
 * The machinery of {@code routes/bulk-load.camel.yaml}: opening a bulk load for a large delivery and readying it once
 * intake recorded every donor (intake enlists each as it records it), and the worker that takes the ready loads chunk by
 * chunk to {@code direct:<prefix>-batch-submit} (the flow), resuming after a restart whatever was not sent.
 */
public final class BulkRoutes extends BundleRouteBuilder {

    private final BulkLoads loads;
    private final ClaimHeartbeat heartbeat;
    private final int threshold;
    private final DriftGuard drift;

    /**
     * {@code threshold}: sync.bulk.threshold, the most donors a delivery may have and still go the live path; a chunk's
     * donors that would carry a value the organisation no longer has are held by {@code drift}, never sent.
     */
    public BulkRoutes(BulkLoads loads, ClaimHeartbeat heartbeat, int threshold, DriftGuard drift) {
        this.drift = drift;
        this.loads = loads;
        this.heartbeat = heartbeat;
        this.threshold = threshold;
    }

    @Override
    public void configure() {
        step("bulk-open", "A delivery (the body: its donors) of more than sync.bulk.threshold donors opens a bulk load: its id in the bulkLoad variable")
                .filter(exchange -> exchange.getMessage().getBody(List.class).size() > threshold)
                    .process(exchange -> exchange.setVariable("bulkLoad", loads.open(exchange.getVariable("origin", String.class),
                            exchange.getMessage().getBody(List.class).size())));

        step("bulk-ready", "Intake recorded every donor of the bulk load: the worker may form chunks")
                .filter(variable("bulkLoad").isNotNull())
                    .process(exchange -> loads.ready(exchange.getVariable("bulkLoad", Long.class)));

        from("timer:" + PREFIX + "-bulk-load?period={{sync.bulk.period-ms}}").routeId(id("bulk-load"))
                .description("Sends the ready bulk loads' donors, chunk by chunk; after a restart it resumes what was not sent")
                .routeConfigurationId(id("background-errors"))
                .process(this::nextChunk)
                // a stopping bundle finishes the chunk in hand and leaves the rest in the ledger for the next start
                .loopDoWhile(exchange -> !exchange.getVariable("chunk", BulkChunk.class).isEmpty() && exchange.getContext().getStatus().isStarted())
                    .setVariable(VirtuousCallRoute.LANE, constant("bulk"))
                    .to(direct("batch-submit"))
                    .process(exchange -> loads.progress(exchange.getVariable("chunk", BulkChunk.class)))
                    .process(this::nextChunk)
                .end();
    }

    /**
     * Claims the next chunk for this exchange (empty when none is ready), its claims held until the next one; the donors
     * the drift guard holds leave it. A chunk all of whose donors are held is followed by the next.
     */
    private void nextChunk(Exchange exchange) {
        BulkChunk chunk;
        do {
            chunk = drift.withoutHeld(loads.nextChunk(exchange.getExchangeId()));
        } while (chunk.isEmpty() && chunk.loadId() != 0);
        heartbeat.hold(chunk, exchange);
        exchange.setVariable("chunk", chunk);
    }
}
