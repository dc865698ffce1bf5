package org.contactsync.sandbox;

import java.util.concurrent.atomic.AtomicLong;

/** Where new record ids come from. */
final class RecordIds {

    // Separate, distinct ranges make a mixed-up id (an individual's id used as a Contact's) fail loudly with a 404.
    private final AtomicLong contactIds = new AtomicLong(1000);
    private final AtomicLong individualIds = new AtomicLong(200_000);
    private final AtomicLong addressIds = new AtomicLong(400_000);
    private final AtomicLong contactMethodIds = new AtomicLong(600_000);

    long nextContact() {
        return contactIds.incrementAndGet();
    }

    long nextIndividual() {
        return individualIds.incrementAndGet();
    }

    long nextAddress() {
        return addressIds.incrementAndGet();
    }

    long nextContactMethod() {
        return contactMethodIds.incrementAndGet();
    }
}
