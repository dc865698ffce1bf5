package org.contactsync.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * This bundle instance as the other nodes sharing its database see it: the owner of its ledger claims and of the
 * schedule runs it records. Unique per start, so a restarted node never mistakes its predecessor's claims for its own.
 */
public final class ClusterNode {

    private final String name;

    /** {@code configured} names the node (sync.cluster.node-name); empty takes the host name. */
    public ClusterNode(String configured) {
        String base = configured == null || configured.isBlank() ? hostName() : configured.strip();
        this.name = base + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String name() {
        return name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
