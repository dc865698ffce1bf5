package org.contactsync.resolution;

import java.util.Map;

import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * What follows the resolution aggregator (routes/contact-resolution.camel.yaml): the completed group recorded in the
 * ledger; and the check of a pair seen on another Contact than the ledger's, whose answer follows a merge.
 */
public final class ResolutionRoutes extends BundleRouteBuilder {

    private final ResolutionJoin join;
    private final MergeCheck merges;
    private final VirtuousRequests requests;

    public ResolutionRoutes(ResolutionJoin join, MergeCheck merges, VirtuousRequests requests) {
        this.join = join;
        this.merges = merges;
        this.requests = requests;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void configure() {
        step("resolve", "Records the completed group: SYNCED to the Contact its event named; a change made while PENDING goes out as an update")
                .process(exchange -> exchange.getMessage().setBody(join.complete(exchange.getMessage().getBody(Map.class))))
                .filter(body().isNotNull())
                    .to(direct("sync-queue"));

        step("check-merge", "A pair of ours SYNCED to Contact A seen on Contact B (the body): GET A in the poll lane; gone or merged into B, every ledger entry naming A names B; else a possible duplicate, logged")
                .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                .setVariable("suspect", body())
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST,
                        requests.contactById(MergeCheck.recorded(exchange.getVariable("suspect", Map.class)))))
                .toV(direct("virtuous-call"), null, "recorded")
                .process(exchange -> merges.settle(exchange.getVariable("suspect", Map.class), exchange.getVariable("recorded", Map.class)));
    }
}
