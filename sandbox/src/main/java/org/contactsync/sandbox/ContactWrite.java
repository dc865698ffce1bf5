package org.contactsync.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One write to a Contact and its parts: how a body is read, when and by whom it is made, where new ids come from, and
 * the validation problems found while applying it (the write is refused if there are any).
 */
final class ContactWrite {

    @FunctionalInterface
    interface ItemWriter<T> {
        void apply(T item, ObjectNode body, String path);
    }

    private final PutSemantics semantics;
    private final Instant now;
    private final String user;
    private final RecordIds ids;
    private final OrganisationLists organisation;
    private final List<FieldError> problems = new ArrayList<>();

    ContactWrite(PutSemantics semantics, Instant now, String user, RecordIds ids, OrganisationLists organisation) {
        this.organisation = organisation;
        this.semantics = semantics;
        this.now = now;
        this.user = user;
        this.ids = ids;
    }

    PutSemantics semantics() {
        return semantics;
    }

    Instant now() {
        return now;
    }

    String user() {
        return user;
    }

    RecordIds ids() {
        return ids;
    }

    /** What the organisation is configured with now, for the values a write must take from it. */
    OrganisationLists organisation() {
        return organisation;
    }

    Audit newAudit() {
        return Audit.createdAt(now, user);
    }

    void problem(String field, String code, String message) {
        problems.add(new FieldError(field, code, message));
    }

    List<FieldError> problems() {
        return problems;
    }

    /** Whether a body's array property is to be applied: it was sent, or it was left out and so is reset. */
    boolean appliesList(ObjectNode body, String property) {
        return body.has(property) || semantics == PutSemantics.REPLACE;
    }

    /**
     * The new list of sub-records for a body's array: an item with an id updates that record, one without creates a
     * record, and records the array leaves out are gone. A left-out or null array is an empty one.
     */
    <T> List<T> items(JsonNode array, List<T> current, ToLongFunction<T> idOf, Supplier<T> create, ItemWriter<T> writer, String path) {
        List<T> result = new ArrayList<>();
        if (array == null || array.isNull()) {
            return result;
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            ObjectNode item = (ObjectNode) array.get(i);
            String itemPath = path + "[" + i + "]";
            JsonNode id = item.get("id");
            if (id == null || id.isNull()) {
                T created = create.get();
                writer.apply(created, item, itemPath + ".");
                result.add(created);
                continue;
            }
            T existing = current.stream().filter(record -> idOf.applyAsLong(record) == id.asLong()).findFirst().orElse(null);
            if (existing == null) {
                problem(itemPath + ".id", "NOT_FOUND", "There is no record " + id + " in " + path + " to update; leave the id out to add one.");
            } else if (!seen.add(id.asLong())) {
                problem(itemPath + ".id", "DUPLICATE", "Record " + id + " appears more than once in " + path + ".");
            } else {
                writer.apply(existing, item, itemPath + ".");
                result.add(existing);
            }
        }
        return result;
    }
}
