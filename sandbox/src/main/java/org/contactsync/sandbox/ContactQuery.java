package org.contactsync.sandbox;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The filter of {@code POST /api/Contact/Query} (virtuous-api.md §3.5): groups of conditions, AND-ed within a group
 * and OR-ed across groups [C-3p]; no groups select every Contact. Parameter and operator names are configured per
 * organisation and come from {@code GET /api/Contact/QueryOptions} [CONFLICT], so the sandbox supports only the one
 * condition the integration needs and the sources name: {@value #LAST_MODIFIED} with "Is After" (the docs guides)
 * or "After" (nucleus-engine), strictly after an ISO-8601 timestamp, one without a zone being UTC like the API's own.
 * The relative values nucleus-engine sends ("Yesterday") are not supported, and since no source documents a
 * reference condition there is none: match {@code contactReferences} in {@code /Query/FullContact} results instead.
 * Anything else is a validation failure, so a client learns in its tests that it relies on something unsupported.
 * Archived Contacts are left out unless {@code includeArchived} is true (docs guide, unverified).
 */
final class ContactQuery {

    static final String LAST_MODIFIED = "Last Modified Date";
    private static final Set<String> AFTER = Set.of("Is After", "After");

    private final List<List<Predicate<StoredContact>>> groups;
    private final Comparator<StoredContact> order;
    private final boolean includeArchived;

    private ContactQuery(List<List<Predicate<StoredContact>>> groups, Comparator<StoredContact> order, boolean includeArchived) {
        this.groups = groups;
        this.order = order;
        this.includeArchived = includeArchived;
    }

    /**
     * @param body a body that binds to {@link BindingModel#CONTACT_QUERY}
     * @throws RequestRefused listing every condition or sort the sandbox cannot run
     */
    static ContactQuery of(ObjectNode body, OrganisationLists organisation) {
        List<FieldError> problems = new ArrayList<>();
        List<List<Predicate<StoredContact>>> groups = new ArrayList<>();
        JsonNode groupNodes = body.path("groups");
        for (int g = 0; g < groupNodes.size(); g++) {
            List<Predicate<StoredContact>> conditions = new ArrayList<>();
            JsonNode conditionNodes = groupNodes.get(g).path("conditions");
            for (int c = 0; c < conditionNodes.size(); c++) {
                conditions.add(condition(conditionNodes.get(c), "groups[" + g + "].conditions[" + c + "].", organisation, problems));
            }
            groups.add(conditions);
        }
        Comparator<StoredContact> order = order(SandboxJson.text(body.get("sortBy")), problems);
        if (!problems.isEmpty()) {
            throw RequestRefused.invalid(problems);
        }
        return new ContactQuery(groups, body.path("descending").booleanValue() ? order.reversed() : order,
                body.path("includeArchived").booleanValue());
    }

    boolean matches(StoredContact contact) {
        return (includeArchived || !contact.isArchived())
                && (groups.isEmpty() || groups.stream().anyMatch(group -> group.stream().allMatch(condition -> condition.test(contact))));
    }

    Comparator<StoredContact> order() {
        return order;
    }

    private static Predicate<StoredContact> condition(JsonNode condition, String path, OrganisationLists organisation,
                                                      List<FieldError> problems) {
        String parameter = SandboxJson.text(condition.get("parameter"));
        String operator = SandboxJson.text(condition.get("operator"));
        if (!organisation.isQueryParameter(parameter)) {
            problems.add(new FieldError(path + "parameter", "INVALID_VALUE",
                    "'" + parameter + "' is not a query option of this organization; see GET /api/Contact/QueryOptions."));
        } else if (!LAST_MODIFIED.equals(parameter)) {
            problems.add(new FieldError(path + "parameter", "UNSUPPORTED",
                    "The sandbox queries on '" + LAST_MODIFIED + "' only, not '" + parameter + "'."));
        } else if (!AFTER.contains(operator)) {
            problems.add(new FieldError(path + "operator", "UNSUPPORTED",
                    "'" + LAST_MODIFIED + "' takes the operator 'Is After' or 'After' in the sandbox, not '" + operator + "'."));
        } else {
            Instant after = timestamp(SandboxJson.text(condition.get("value")));
            if (after == null) {
                problems.add(new FieldError(path + "value", "INVALID_VALUE",
                        "'" + SandboxJson.text(condition.get("value")) + "' is not an ISO-8601 date and time."));
            } else {
                return contact -> contact.modified().isAfter(after);
            }
        }
        return contact -> false;
    }

    private static Comparator<StoredContact> order(String sortBy, List<FieldError> problems) {
        if (sortBy == null) {
            return Comparator.comparingLong(StoredContact::id);
        }
        if (sortBy.equals(LAST_MODIFIED)) {
            return Comparator.comparing(StoredContact::modified).thenComparingLong(StoredContact::id);
        }
        problems.add(new FieldError("sortBy", "UNSUPPORTED", "The sandbox sorts by '" + LAST_MODIFIED + "' or, without sortBy, by id."));
        return Comparator.comparingLong(StoredContact::id);
    }

    private static Instant timestamp(String value) {
        if (value == null) {
            return null;
        }
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(value, OffsetDateTime::from, LocalDateTime::from);
            return parsed instanceof OffsetDateTime withZone ? withZone.toInstant() : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException notATimestamp) {
            return null;
        }
    }
}
