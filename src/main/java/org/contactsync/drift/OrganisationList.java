package org.contactsync.drift;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.contactsync.virtuous.VirtuousRequest;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * One list of the organisation's configuration the mapping relies on, with the request that reads it and how its
 * answer is read. Only the Contact Types' shape is known from a real answer ({@code [{"parentType", "type"}]}); the
 * other three are read leniently [INF]: the names of a list of strings, or of objects' {@code type} or {@code name};
 * for the query options every text anywhere in the answer, since a condition's name is all that is looked for.
 */
public enum OrganisationList {

    CONTACT_TYPES("Contact Type", "GET /api/Contact/Types"),
    CONTACT_METHOD_TYPES("contact method type", "GET /api/ContactMethod/Types"),
    CUSTOM_FIELDS("Contact custom field", "GET /api/Contact/CustomFields"),
    QUERY_OPTIONS("Contact query option", "GET /api/Contact/QueryOptions");

    private final String item;
    private final String endpoint;

    OrganisationList(String item, String endpoint) {
        this.item = item;
        this.endpoint = endpoint;
    }

    /** What one value of the list is, for a reason: "Contact Type". */
    public String item() {
        return item;
    }

    public String endpoint() {
        return endpoint;
    }

    VirtuousRequest request(VirtuousRequests requests) {
        return switch (this) {
            case CONTACT_TYPES -> requests.contactTypes();
            case CONTACT_METHOD_TYPES -> requests.contactMethodTypes();
            case CUSTOM_FIELDS -> requests.contactCustomFields();
            case QUERY_OPTIONS -> requests.contactQueryOptions();
        };
    }

    /** The names an answer holds, or null when it is no list of them (no body, an object where a list was expected). */
    Set<String> names(Object answer) {
        Set<String> names = new LinkedHashSet<>();
        if (this == QUERY_OPTIONS) {
            if (!(answer instanceof Collection<?> || answer instanceof Map<?, ?>)) {
                return null;
            }
            collectTexts(answer, names);
            return names;
        }
        if (!(answer instanceof List<?> items)) {
            return null;
        }
        for (Object item : items) {
            if (item instanceof String text) {
                names.add(text.strip());
            } else if (item instanceof Map<?, ?> object) {
                Object name = object.get(this == CUSTOM_FIELDS ? "name" : "type");
                if (name == null) {
                    name = object.get(this == CUSTOM_FIELDS ? "displayName" : "name");
                }
                if (name != null) {
                    names.add(name.toString().strip());
                }
            }
        }
        return names;
    }

    private static void collectTexts(Object node, Set<String> texts) {
        if (node instanceof String text) {
            texts.add(text.strip());
        } else if (node instanceof Map<?, ?> object) {
            object.values().forEach(value -> collectTexts(value, texts));
        } else if (node instanceof Collection<?> items) {
            items.forEach(item -> collectTexts(item, texts));
        }
    }
}
