package org.contactsync.sandbox;

import java.time.Instant;
import java.util.Map;

/** Who created and last modified a record, and when; every Virtuous record carries these four fields. */
record Audit(Instant created, String createdBy, Instant modified, String modifiedBy) {

    // .NET DateTime ticks: the API shows seven fractional digits.
    private static final long TICK_NANOS = 100;

    static Audit createdAt(Instant at, String user) {
        Instant stamp = toTick(at);
        return new Audit(stamp, user, stamp, user);
    }

    /**
     * Clients compare modifiedDateTimeUtc before and after a PUT to detect a write in between (update-a-contact seed)
     * and query on it for incremental sync, so every write shows a later stamp, even within one tick of the clock.
     */
    Audit touchedAt(Instant at, String user) {
        Instant stamp = toTick(at);
        return new Audit(created, createdBy, stamp.isAfter(modified) ? stamp : modified.plusNanos(TICK_NANOS), user);
    }

    void writeTo(Map<String, Object> json) {
        json.put("createDateTimeUtc", VirtuousTimestamps.format(created));
        json.put("createdByUser", createdBy);
        json.put("modifiedDateTimeUtc", VirtuousTimestamps.format(modified));
        json.put("modifiedByUser", modifiedBy);
    }

    private static Instant toTick(Instant at) {
        return Instant.ofEpochSecond(at.getEpochSecond(), at.getNano() / TICK_NANOS * TICK_NANOS);
    }
}
