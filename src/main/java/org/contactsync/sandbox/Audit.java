package org.contactsync.sandbox;

import java.time.Instant;
import java.util.Map;

/** Who created and last modified a record, and when; every Virtuous record carries these four fields. */
final class Audit {

    private final Instant created;
    private final String createdBy;
    private Instant modified;
    private String modifiedBy;

    Audit(Instant created, String createdBy) {
        this.created = created;
        this.createdBy = createdBy;
        this.modified = created;
        this.modifiedBy = createdBy;
    }

    void touch(Instant at, String user) {
        modified = at;
        modifiedBy = user;
    }

    void writeTo(Map<String, Object> json) {
        json.put("createDateTimeUtc", VirtuousTimestamps.format(created));
        json.put("createdByUser", createdBy);
        json.put("modifiedDateTimeUtc", VirtuousTimestamps.format(modified));
        json.put("modifiedByUser", modifiedBy);
    }
}
