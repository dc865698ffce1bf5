package org.contactsync.sandbox;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A received request, with the percent-decoded path segments that follow its root ({@code api} or {@code sandbox})
 * and the decoded query parameters.
 */
record ApiRequest(String method, String rawPath, String rawQuery, List<String> route, Map<String, String> query, byte[] body) {

    static ApiRequest from(HttpExchange exchange, String root) throws IOException {
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        List<String> segments = segments(rawPath);
        // The server's context matching is by prefix, so "/apiX" also lands here; it must stay an unknown route.
        List<String> route = !segments.isEmpty() && segments.get(0).equals(root) ? segments.subList(1, segments.size()) : List.of();
        return new ApiRequest(exchange.getRequestMethod(), rawPath, rawQuery == null ? "" : rawQuery, route,
                queryParameters(rawQuery), exchange.getRequestBody().readAllBytes());
    }

    /** The named query parameter, or null when it is absent or blank. */
    String queryParameter(String name) {
        String value = query.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** The body when it is a JSON object; empty for no body, malformed JSON or any other JSON value. */
    Optional<ObjectNode> jsonObject() {
        try {
            JsonNode node = SandboxJson.MAPPER.readTree(body);
            return node instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
        } catch (IOException malformed) {
            return Optional.empty();
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String segment : rawPath.split("/")) {
            if (!segment.isEmpty()) {
                // In a path a '+' is a plus sign, not the space URLDecoder would make of it.
                segments.add(decode(segment.replace("+", "%2B")));
            }
        }
        return segments;
    }

    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            return text;
        }
    }
}
