package org.contactsync.bulk;

import java.util.List;

import org.contactsync.bundle.BundleRouteBuilder;

/**
 * The machinery of {@code routes/bulk-load.camel.yaml}: opening a bulk load for a large delivery and readying it once
 * intake recorded every donor (intake enlists each as it records it), and the worker that takes the ready loads chunk by
 * chunk to {@code direct:<prefix>-batch-submit} (the flow), resuming after a restart whatever was not sent.
 */
public final class BulkRoutes extends BundleRouteBuilder {

    private final BulkLoads loads;
    private final ChunkWorker worker;
    private final int threshold;

    /** {@code threshold}: sync.bulk.threshold, the most donors a delivery may have and still go the live path. */
    public BulkRoutes(BulkLoads loads, ChunkWorker worker, int threshold) {
        this.loads = loads;
        this.worker = worker;
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

        worker.define(this, "bulk-load", "Sends the ready bulk loads' donors, chunk by chunk; after a restart it resumes what was not sent",
                "bulk", loads::nextChunk);
    }
}
