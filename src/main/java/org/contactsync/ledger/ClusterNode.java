package org.contactsync.ledger;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * This bundle instance as the other nodes sharing its database see it: the owner of its ledger claims, of the schedule
 * runs it records and of its row among the cluster's members. Stable across restarts (host name and HTTP port, which no
 * two live bundles share), so a restarted node takes its own place back instead of counting as one more.
 */
public final class ClusterNode {

    private final String name;

    /** {@code configured} names the node (sync.cluster.node-name); empty takes host:port. */
    public ClusterNode(String configured, int port) {
        this.name = configured == null || configured.isBlank() ? hostName() + ":" + port : configured.strip();
    }

    public String name() {
        return name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
