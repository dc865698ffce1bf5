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
 * plain text (some 401s) and empty bodies (404s).
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
        if (root == null || !root.isObject()) {
            return body.strip();
        }
        List<String> parts = new ArrayList<>();
        JsonNode error = root.get("error");
        if (error != null && error.isObject()) {
            addText(parts, error.get("code"));
            addText(parts, error.get("message"));
            for (JsonNode detail : iterable(error.get("details"))) {
                String field = detail.path("field").asText("");
                String message = detail.path("message").asText(detail.path("code").asText(""));
                parts.add(field.isEmpty() ? message : field + ": " + message);
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
        if (node != null && node.isValueNode() && !node.asText().isBlank()) {
            parts.add(node.asText());
        }
    }

    private static void addFieldErrors(List<String> parts, JsonNode fields) {
        if (fields == null || !fields.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            List<String> messages = new ArrayList<>();
            for (JsonNode message : iterable(field.getValue())) {
                messages.add(message.asText());
            }
            if (field.getValue().isValueNode()) {
                messages.add(field.getValue().asText());
            }
            parts.add(field.getKey() + ": " + String.join(", ", messages));
        }
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node == null || !node.isArray() ? List.of() : node;
    }
}
