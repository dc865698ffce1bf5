package org.contactsync.health;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check of whether the bundle can do its work now, in the {@code contact-sync} group. Never liveness: what these checks
 * see (a refused key, a database outage, a spent budget) is not fixed by restarting the bundle.
 */
public abstract class ReadinessCheck extends AbstractHealthCheck {

    protected ReadinessCheck(String id) {
        super("contact-sync", id);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
