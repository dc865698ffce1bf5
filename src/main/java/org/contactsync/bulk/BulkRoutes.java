package org.contactsync.bulk;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.drift.DriftGuard;
import org.contactsync.intake.IntakeReceipt;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.DriftHolds;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.virtuous.VirtuousCallRoute;

/**
 * The machinery of {@code routes/bulk-load.camel.yaml}: opening a bulk load for a large delivery and readying it once
 * intake recorded every donor, enlisting a recorded donor in it, and the worker that takes the ready loads chunk by
 * chunk to {@code direct:<prefix>-batch-submit} (the flow), resuming after a restart whatever was not sent.
 */
public final class BulkRoutes extends BundleRouteBuilder {

    private final BulkLoads loads;
    private final ClaimHeartbeat heartbeat;
    private final int threshold;
    private final DriftGuard drift;
    private final DriftHolds holds;

    /**
     * {@code threshold}: sync.bulk.threshold, the most donors a delivery may have and still go the live path; a chunk's
     * donors that would carry a value the organisation no longer has are held by {@code drift}, never sent.
     */
    public BulkRoutes(BulkLoads loads, ClaimHeartbeat heartbeat, int threshold, DriftGuard drift, DriftHolds holds) {
        this.drift = drift;
        this.holds = holds;
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

        step("bulk-enlist", "Whether the recorded donor waits in the delivery's bulk load (the enlisted variable) rather than go the live path")
                .process(this::enlist);

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

    private void enlist(Exchange exchange) {
        ReferencePair reference = exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class).getReference();
        exchange.setVariable("enlisted", loads.enlist(exchange.getVariable("bulkLoad", Long.class), reference));
    }

    /**
     * Claims the next chunk for this exchange (empty when none is ready), its claims held until the next one; the donors
     * the drift guard holds leave it. A chunk all of whose donors are held is followed by the next.
     */
    private void nextChunk(Exchange exchange) {
        BulkChunk chunk;
        do {
            chunk = loads.nextChunk(exchange.getExchangeId());
            List<LedgerEntry> sent = new ArrayList<>();
            for (LedgerEntry entry : chunk.donors()) {
                String reason = drift.reason(entry);
                if (reason == null || !holds.hold(entry.getReference(), reason)) {
                    sent.add(entry);
                }
            }
            if (sent.size() < chunk.donors().size()) {
                chunk = new BulkChunk(chunk.loadId(), chunk.referenceSource(), List.copyOf(sent));
            }
        } while (chunk.isEmpty() && chunk.loadId() != 0);
        heartbeat.hold(chunk, exchange);
        exchange.setVariable("chunk", chunk);
    }
}
