package org.contactsync.sandbox;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the sandbox. */
final class SandboxJson {

    // A body with trailing garbage after the object is malformed for ASP.NET too, so do not let Jackson ignore it.
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Map<String, Object>>> LIST_OF_MAPS = new TypeReference<>() {
    };

    private SandboxJson() {
    }

    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** The trimmed text of a scalar, or null for an absent, null, blank or structured value. */
    static String text(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            return null;
        }
        String text = node.asText().trim();
        return text.isEmpty() ? null : text;
    }

    static Map<String, Object> toMap(JsonNode node) {
        return MAPPER.convertValue(node, MAP);
    }

    /**
     * The value as a client parses it off the wire (ids as Integer when they fit, and so on), so the Java view of
     * the sandbox equals what a test reads through HTTP.
     */
    static Map<String, Object> asParsed(Map<String, Object> value) {
        return reparse(value, MAP);
    }

    static List<Map<String, Object>> asParsed(List<Map<String, Object>> value) {
        return reparse(value, LIST_OF_MAPS);
    }

    private static <T> T reparse(Object value, TypeReference<T> type) {
        try {
            return MAPPER.readValue(bytes(value), type);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot re-read the sandbox's own JSON", e);
        }
    }
}
