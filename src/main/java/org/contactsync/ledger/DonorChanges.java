package org.contactsync.ledger;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What changed in a donor since Virtuous last took it, field by field, in the donor's own flat shape. A field the
 * donor leaves out (or sends empty) is never a change: a platform that omits a column has not said the value is gone,
 * and clearing a Contact's data on that guess could lose what staff entered in Virtuous.
 */
public final class DonorChanges {

    /** Fields the Transaction payload has no place for: only an update applies them, once the Contact is known. */
    public static final Set<String> UPDATE_ONLY = Set.of("archived", "contactReferences");

    /** What a donor never sent stands for: a Contact is not archived unless the platform said so. */
    private static final Map<String, Object> DEFAULTS = Map.of("archived", Boolean.FALSE);

    private DonorChanges() {
    }

    /** The donor as a Contact Transaction carries it: everything but {@link #UPDATE_ONLY}. */
    public static Map<String, Object> transactionPayload(Map<String, Object> donor) {
        Map<String, Object> payload = new LinkedHashMap<>(donor);
        payload.keySet().removeAll(UPDATE_ONLY);
        return payload;
    }

    /** Each field whose value in {@code donor} differs from {@code baseline}, with its new value; sorted by name. */
    public static Map<String, Object> between(Map<String, Object> baseline, Map<String, Object> donor) {
        Map<String, Object> known = baseline == null ? Map.of() : baseline;
        Map<String, Object> changes = new LinkedHashMap<>();
        for (String field : new TreeSet<>(donor.keySet())) {
            Object value = donor.get(field);
            if (value != null && !value.equals(known.getOrDefault(field, DEFAULTS.get(field)))) {
                changes.put(field, value);
            }
        }
        return changes;
    }
}
