package org.contactsync.testing;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Contact compared field by field: every leaf of the GET shape by its path ({@code contactIndividuals[1].contactMethods[0].value}),
 * audit stamps aside (every write moves them). A path only one side has is a field added or removed.
 */
public final class ContactDiff {

    private static final Set<String> AUDIT = Set.of("createDateTimeUtc", "createdByUser", "modifiedDateTimeUtc", "modifiedByUser");

    private final Map<String, Object[]> changes = new TreeMap<>();

    private ContactDiff(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> was = leaves(before);
        Map<String, Object> is = leaves(after);
        TreeMap<String, Object> paths = new TreeMap<>(was);
        paths.putAll(is);
        paths.keySet().forEach(path -> {
            if (!was.containsKey(path) || !is.containsKey(path) || !Objects.equals(was.get(path), is.get(path))) {
                changes.put(path, new Object[] {was.get(path), is.get(path)});
            }
        });
    }

    public static ContactDiff between(Map<String, Object> before, Map<String, Object> after) {
        return new ContactDiff(before, after);
    }

    /** Every changed path starts with one of these prefixes, and each prefix covers at least one change. */
    public ContactDiff changedOnly(String... prefixes) {
        assertThat(changes.keySet()).as("fields changed beyond %s: %s", Arrays.toString(prefixes), describe())
                .allMatch(path -> Arrays.stream(prefixes).anyMatch(path::startsWith));
        for (String prefix : prefixes) {
            assertThat(changes.keySet()).as("a change under %s; changes: %s", prefix, describe()).anyMatch(path -> path.startsWith(prefix));
        }
        return this;
    }

    public ContactDiff nothingChanged() {
        assertThat(changes).as("changes: %s", describe()).isEmpty();
        return this;
    }

    public String describe() {
        StringBuilder text = new StringBuilder();
        changes.forEach((path, values) -> text.append("\n  ").append(path).append(": ").append(values[0]).append(" -> ").append(values[1]));
        return text.toString();
    }

    private static Map<String, Object> leaves(Object value) {
        Map<String, Object> leaves = new TreeMap<>();
        collect("", value, leaves);
        return leaves;
    }

    private static void collect(String path, Object value, Map<String, Object> leaves) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, item) -> {
                if (!AUDIT.contains(key.toString())) {
                    collect(path.isEmpty() ? key.toString() : path + "." + key, item, leaves);
                }
            });
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collect(path + "[" + i + "]", list.get(i), leaves);
            }
            if (list.isEmpty()) {
                leaves.put(path, List.of());
            }
        } else {
            leaves.put(path, value);
        }
    }
}
