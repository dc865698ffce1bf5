package org.contactsync.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** An answer before it is written; {@code body} is null for the empty bodies (Content-Length 0) Virtuous sends. */
record ApiResponse(int status, byte[] body, Map<String, String> headers) {

    ApiResponse {
        headers = Map.copyOf(headers);
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, null, Map.of());
    }

    /** Exactly this body as JSON text; an empty one as no body at all. */
    static ApiResponse raw(int status, String body) {
        return body.isEmpty() ? empty(status)
                : new ApiResponse(status, body.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json; charset=utf-8"));
    }

    static ApiResponse json(int status, Object value) {
        return new ApiResponse(status, SandboxJson.bytes(value), Map.of("Content-Type", "application/json; charset=utf-8"));
    }

    ApiResponse withHeaders(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.putAll(extra);
        return new ApiResponse(status, body, all);
    }

    void writeTo(HttpExchange exchange) throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}
