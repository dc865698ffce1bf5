package org.contactsync.sandbox;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code /api/Webhook} subscription (virtuous-api.md §4.1). Flags left out of the body are false, {@code active}
 * included, as the real API's .NET model binds them.
 */
record WebhookSubscription(long id, String payloadUrl, String secret, Map<String, Boolean> events, boolean active) {

    static final List<String> EVENT_FLAGS = List.of("contactCreate", "contactUpdate", "giftCreate", "giftUpdate", "giftDelete",
            "projectCreate", "projectUpdate", "projectDelete", "formSubmission", "contactNoteCreate", "contactNoteUpdate",
            "contactNoteDelete", "eventCreate", "eventUpdate", "eventDelete");

    static WebhookSubscription from(long id, ObjectNode body) {
        Map<String, Boolean> events = new LinkedHashMap<>();
        EVENT_FLAGS.forEach(flag -> events.put(flag, body.path(flag).asBoolean(false)));
        return new WebhookSubscription(id, SandboxJson.text(body.get("payloadUrl")), SandboxJson.text(body.get("secret")),
                Collections.unmodifiableMap(events), body.path("active").asBoolean(false));
    }

    static List<FieldError> validate(ObjectNode body) {
        List<FieldError> errors = new ArrayList<>();
        String payloadUrl = SandboxJson.text(body.get("payloadUrl"));
        if (payloadUrl == null) {
            errors.add(new FieldError("payloadUrl", "REQUIRED", "The PayloadUrl field is required."));
        } else if (!isHttpUrl(payloadUrl)) {
            errors.add(new FieldError("payloadUrl", "INVALID_FORMAT", "'" + payloadUrl + "' is not an absolute http(s) URL."));
        }
        return errors;
    }

    boolean wants(String event) {
        return active && events.getOrDefault(event, false);
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("payloadUrl", payloadUrl);
        json.put("secret", secret);
        json.putAll(events);
        json.put("active", active);
        return json;
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = URI.create(text);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException notAUri) {
            return false;
        }
    }
}
