package org.contactsync.virtuous;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads Virtuous error bodies, which are not uniform: the ASP.NET {@code {"message", "modelState"}} shape seen in the field,
 * the documented {@code {"error": {"code", "message", "details[]"}}} target shape, {@code error_description}/{@code errors},
 * plain text (some 401s), a bare JSON string, and empty bodies (404s).
 */
final class ErrorBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PLAIN_TEXT = 500;

    private ErrorBodies() {
    }

    /** A one-line message for people, or null when the body says nothing. */
    static String message(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (Exception notJson) {
            String text = body.strip();
            return text.length() > MAX_PLAIN_TEXT ? text.substring(0, MAX_PLAIN_TEXT) + "…" : text;
        }
        if (root != null && root.isTextual()) {
            return text(root);
        }
        if (root == null || !root.isObject()) {
            return body.strip();
        }
        List<String> parts = new ArrayList<>();
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            addText(parts, error.get("code"));
            addText(parts, error.get("message"));
            for (JsonNode detail : iterable(error.get("details"))) {
                String field = text(detail.get("field"));
                String message = detail.isObject() ? firstText(detail.get("message"), detail.get("code")) : text(detail);
                if (message != null) {
                    parts.add(field == null ? message : field + ": " + message);
                }
            }
        } else {
            addText(parts, root.get("message"));
            addText(parts, error);
            addText(parts, root.get("error_description"));
        }
        addFieldErrors(parts, root.get("modelState"));
        addFieldErrors(parts, root.get("errors"));
        return parts.isEmpty() ? body.strip() : String.join("; ", parts);
    }

    private static void addText(List<String> parts, JsonNode node) {
        String text = text(node);
        if (text != null) {
            parts.add(text);
        }
    }

    /** A string, number or boolean worth showing; null for absent, JSON null, blank, objects and arrays. */
    private static String text(JsonNode node) {
        return node == null || !node.isValueNode() || node.isNull() || node.asText().isBlank() ? null : node.asText();
    }

    private static String firstText(JsonNode first, JsonNode second) {
        String text = text(first);
        return text != null ? text : text(second);
    }

    private static void addFieldErrors(List<String> parts, JsonNode fields) {
        if (fields == null || !fields.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            List<String> messages = new ArrayList<>();
            for (JsonNode message : iterable(field.getValue())) {
                addText(messages, message);
            }
            addText(messages, field.getValue());
            if (messages.isEmpty()) {
                continue;
            }
            // ASP.NET files errors about the body as a whole under an empty key
            parts.add(field.getKey().isBlank() ? String.join(", ", messages) : field.getKey() + ": " + String.join(", ", messages));
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node == null || !node.isArray() ? List.of() : node;
    }
}
