package org.contactsync.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/** An external system's id for a Contact, as in {@code contactReferences}; matched exactly. */
record ContactReference(String source, String id) {

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("source", source);
        json.put("id", id);
        return json;
    }
}
