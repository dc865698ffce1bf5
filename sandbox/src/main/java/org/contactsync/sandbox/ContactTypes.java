package org.contactsync.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The contact types a sandbox organisation starts with, as {@code GET /api/Contact/Types} serves them ({@link OrganisationLists}). */
final class ContactTypes {

    static final String HOUSEHOLD = "Household";

    private static final List<Map<String, String>> TYPES = List.of(
            type("Household", HOUSEHOLD),
            type("Organization", "Organization"),
            type("Organization", "Foundation"),
            type("Organization", "Church"));

    private ContactTypes() {
    }

    static List<Map<String, String>> all() {
        return TYPES;
    }

    static Map<String, String> type(String parentType, String type) {
        // Map.of would not keep parentType first, as the real API writes it.
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("parentType", parentType);
        entry.put("type", type);
        return Collections.unmodifiableMap(entry);
    }
}
