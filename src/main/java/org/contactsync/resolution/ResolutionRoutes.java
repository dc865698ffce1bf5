package org.contactsync.resolution;

import java.util.Map;

import org.contactsync.bundle.BundleRouteBuilder;

/** What follows the resolution aggregator (routes/contact-resolution.camel.yaml): the completed group recorded in the ledger. */
public final class ResolutionRoutes extends BundleRouteBuilder {

    private final ResolutionJoin join;

    public ResolutionRoutes(ResolutionJoin join) {
        this.join = join;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure() {
        step("resolve", "Records the completed group: SYNCED to the Contact its event named; a change made while PENDING goes out as an update")
                .process(exchange -> exchange.getMessage().setBody(join.complete(exchange.getMessage().getBody(Map.class))))
                .filter(body().isNotNull())
                    .to(direct("sync-queue"));
    }
}
