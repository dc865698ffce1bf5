package org.contactsync.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/** An email or phone of a ContactIndividual. The kind is kept because the free-text {@code type} does not say it reliably. */
final class StoredContactMethod {

    enum Kind { EMAIL, PHONE }

    private final long id;
    private final Kind kind;
    private final String type;
    private final String value;
    private final boolean primary;
    private final Audit audit;

    StoredContactMethod(long id, Kind kind, String type, String value, boolean primary, Audit audit) {
        this.id = id;
        this.kind = kind;
        this.type = type;
        this.value = value;
        this.primary = primary;
        this.audit = audit;
    }

    Kind kind() {
        return kind;
    }

    String value() {
        return value;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("type", type);
        json.put("value", value);
        json.put("isOptedIn", false);
        json.put("isPrimary", primary);
        json.put("canBePrimary", !primary);
        audit.writeTo(json);
        return json;
    }
}
