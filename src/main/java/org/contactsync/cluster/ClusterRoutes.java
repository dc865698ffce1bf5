package org.contactsync.cluster;

import org.contactsync.bundle.BundleRouteBuilder;

/** The claim heartbeat: this node's claims renewed, and the live nodes counted, on one timer. */
public final class ClusterRoutes extends BundleRouteBuilder {

    private final ClaimHeartbeat heartbeat;
    private final ClusterMembers members;

    public ClusterRoutes(ClaimHeartbeat heartbeat, ClusterMembers members) {
        this.heartbeat = heartbeat;
        this.members = members;
    }

    @Override
    public void configure() {
        from("timer:" + PREFIX + "-claim-heartbeat?period={{sync.claim-renew-ms}}").routeId(id("claim-heartbeat"))
                .description("Renews this node's claims on the donors it is working on, and counts the live nodes")
                .process(exchange -> heartbeat.renew())
                .process(exchange -> members.beat());
    }
}
