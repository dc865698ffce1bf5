package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A flat Contact Transaction payload (virtuous-api.md §3.1) as submitted, read leniently: the spec types nearly every
 * field as a string, and ASP.NET binds a JSON number into a string property, so scalars are read as text.
 */
record ContactTransaction(ObjectNode fields) {

    ContactTransaction {
        fields = fields.deepCopy();
    }

    static ContactTransaction of(Map<String, ?> fields) {
        return new ContactTransaction(SandboxJson.MAPPER.valueToTree(fields));
    }

    /** The trimmed text of a scalar field, or null when it is absent, null, blank or not a scalar. */
    String text(String field) {
        return SandboxJson.text(fields.get(field));
    }

    String textOr(String field, String fallback) {
        String text = text(field);
        return text == null ? fallback : text;
    }

    Integer integer(String field) {
        String text = text(field);
        return text != null && text.matches("\\d{1,9}") ? Integer.valueOf(text) : null;
    }

    /** The reference pair, or null unless both halves are given. */
    ContactReference reference() {
        String source = text("referenceSource");
        String id = text("referenceId");
        return source == null || id == null ? null : new ContactReference(source, id);
    }

    /** {@code tags} is one semicolon-separated string. */
    List<String> tags() {
        List<String> tags = new ArrayList<>();
        String text = text("tags");
        if (text != null) {
            for (String tag : text.split(";")) {
                if (!tag.isBlank()) {
                    tags.add(tag.trim());
                }
            }
        }
        return tags;
    }

    /** {@code customFields} is a name-to-value object here, unlike the array that reads return. */
    Map<String, String> customFields() {
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode node = fields.get("customFields");
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                values.put(field.getKey(), field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString());
            }
        }
        return values;
    }

    Map<String, Object> toMap() {
        return SandboxJson.toMap(fields);
    }
}
