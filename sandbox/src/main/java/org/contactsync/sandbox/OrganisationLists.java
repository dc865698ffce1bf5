package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this sandbox organisation is configured with and the API's lookup endpoints serve: its Contact Types, contact
 * method types, Contact custom fields and Contact query options. Each list may be replaced while the sandbox runs (a
 * test renames a type under a running client, as an administrator does in the UI). The Transaction and Batch endpoints
 * refuse a payload naming a value the organisation lacks, and count each refusal, so a test can show none happened.
 * The shapes of the method-type, custom-field and query-option answers are not documented anywhere we found [INF].
 */
final class OrganisationLists {

    /** The names a test and the admin API give the lists by. */
    static final String CONTACT_TYPES = "contact-types";
    static final String METHOD_TYPES = "contact-method-types";
    static final String CUSTOM_FIELDS = "custom-fields";
    static final String QUERY_OPTIONS = "query-options";

    private volatile List<Map<String, String>> contactTypes = ContactTypes.all();
    private volatile List<String> methodTypes = List.of("Home Email", "Work Email", "Other Email", "Primary Email", "Secondary Email",
            "Home Phone", "Work Phone", "Mobile Phone", "Other Phone");
    // the fields the sandbox's own samples and the bundle's tests write
    private volatile List<String> customFields = List.of("Donor Since", "Donor Level", "Job Title", "Note", "Preferred Channel", "Staff Notes");
    private volatile List<String> queryParameters = List.of(ContactQuery.LAST_MODIFIED, "Create Date", "Contact Type", "Email");
    private final AtomicInteger refusals = new AtomicInteger();

    boolean isContactType(String type) {
        return contactTypes.stream().anyMatch(known -> known.get("type").equals(type));
    }

    boolean isMethodType(String type) {
        return methodTypes.contains(type);
    }

    boolean isCustomField(String name) {
        return customFields.contains(name);
    }

    boolean isQueryParameter(String parameter) {
        return queryParameters.contains(parameter);
    }

    /** {@code GET /api/Contact/Types}: {@code [{"parentType", "type"}]} [C-obs]. */
    List<Map<String, String>> contactTypes() {
        return contactTypes;
    }

    /** {@code GET /api/ContactMethod/Types}: the type names [INF]. */
    List<String> methodTypes() {
        return methodTypes;
    }

    /** {@code GET /api/Contact/CustomFields}: {@code [{"name", "dataType"}]} [INF, after the read shape of a Contact's customFields]. */
    List<Map<String, String>> customFields() {
        return customFields.stream().map(name -> {
            Map<String, String> field = new LinkedHashMap<>();
            field.put("name", name);
            field.put("dataType", "Text");
            return field;
        }).toList();
    }

    /** {@code GET /api/Contact/QueryOptions}: {@code [{"parameter", "operators"}]} [INF]. */
    List<Map<String, Object>> queryOptions() {
        return queryParameters.stream().map(parameter -> {
            Map<String, Object> option = new LinkedHashMap<>();
            option.put("parameter", parameter);
            option.put("operators", List.of("Is After", "After", "Is Before", "Before", "Is"));
            return option;
        }).toList();
    }

    /** Replaces one list by its names; a new Contact Type's parent is the renamed one's, else Organization. */
    void replace(String list, List<String> names) {
        switch (list) {
            case CONTACT_TYPES -> {
                List<Map<String, String>> types = new ArrayList<>();
                for (int i = 0; i < names.size(); i++) {
                    String parent = i < contactTypes.size() ? contactTypes.get(i).get("parentType") : "Organization";
                    types.add(ContactTypes.type(parent, names.get(i)));
                }
                contactTypes = List.copyOf(types);
            }
            case METHOD_TYPES -> methodTypes = List.copyOf(names);
            case CUSTOM_FIELDS -> customFields = List.copyOf(names);
            case QUERY_OPTIONS -> queryParameters = List.copyOf(names);
            default -> throw new IllegalArgumentException("no organisation list '" + list + "': " + CONTACT_TYPES + ", " + METHOD_TYPES
                    + ", " + CUSTOM_FIELDS + " or " + QUERY_OPTIONS);
        }
    }

    /** Renames one value of a list in place, keeping its position (and a Contact Type its parent). */
    void rename(String list, String from, String to) {
        List<String> names = new ArrayList<>(names(list));
        int at = names.indexOf(from);
        if (at < 0) {
            throw new IllegalArgumentException("'" + from + "' is not in the organisation's " + list);
        }
        names.set(at, to);
        replace(list, names);
    }

    List<String> names(String list) {
        return switch (list) {
            case CONTACT_TYPES -> contactTypes.stream().map(type -> type.get("type")).toList();
            case METHOD_TYPES -> methodTypes;
            case CUSTOM_FIELDS -> customFields;
            case QUERY_OPTIONS -> queryParameters;
            default -> throw new IllegalArgumentException("no organisation list '" + list + "'");
        };
    }

    void refused(int values) {
        refusals.addAndGet(values);
    }

    /** How many values the Transaction and Batch endpoints refused for not being the organisation's. */
    int refusals() {
        return refusals.get();
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        for (String list : List.of(CONTACT_TYPES, METHOD_TYPES, CUSTOM_FIELDS, QUERY_OPTIONS)) {
            json.put(list, names(list));
        }
        json.put("refusals", refusals());
        return json;
    }
}
