package org.contactsync.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading and copying Contacts as a client parses them off the wire. */
final class ContactJson {

    private ContactJson() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, Object> json) {
        return SandboxHttp.JSON.convertValue(json, Map.class);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> json, String property) {
        return (List<Map<String, Object>>) json.get(property);
    }

    static Map<String, Object> individual(Map<String, Object> contact) {
        return list(contact, "contactIndividuals").get(0);
    }

    static Map<String, Object> method(Map<String, Object> contact, int index) {
        return list(individual(contact), "contactMethods").get(index);
    }

    /** The JSON without any record's modified stamp, to compare the values a write changed. */
    @SuppressWarnings("unchecked")
    static Object withoutStamps(Object json) {
        if (json instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((key, value) -> {
                if (!key.equals("modifiedDateTimeUtc") && !key.equals("modifiedByUser")) {
                    copy.put(key, withoutStamps(value));
                }
            });
            return copy;
        }
        if (json instanceof List<?> list) {
            return list.stream().map(ContactJson::withoutStamps).toList();
        }
        return json;
    }
}
