package org.contactsync.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.ledger.ReferencePair;

/**
 * Reads a webhook body in either envelope: the one seen from a production receiver,
 * {@code {"event":"ContactCreate","contact":{...}}}, and the one Virtuous's docs show,
 * {@code {"eventType":"contact.created","eventId":..,"data":{...}}}. Anything that is not a Contact event is refused.
 */
public class WebhookEvents {

    private final ObjectMapper json = new ObjectMapper();

    public ContactEvent parse(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String event = root.path("event").asText(root.path("eventType").asText(""));
        // "ContactCreate" in the field, "contact.created" in the docs
        String kind = event.toLowerCase(Locale.ROOT).replace(".", "");
        if (!kind.startsWith("contact") || !(kind.contains("create") || kind.contains("update"))) {
            throw new IllegalArgumentException("not a contact create or update event: '" + event + "'");
        }
        JsonNode contact = root.has("contact") ? root.get("contact") : root.path("data").has("contact") ? root.path("data").get("contact") : root.get("data");
        if (contact == null || !contact.isObject() || !contact.path("id").canConvertToLong()) {
            throw new IllegalArgumentException("the event carries no Contact with a numeric id");
        }
        JsonNode merged = contact.get("mergedIntoContactId");
        return new ContactEvent(kind.contains("create") ? "webhook-create" : "webhook-update", contact.get("id").asLong(),
                merged == null || merged.isNull() ? null : merged.asLong(), references(contact.get("contactReferences")));
    }

    /** The same event with the reference pairs read from the Contact as {@code GET /api/Contact/{id}} returned it. */
    public ContactEvent withReferencesOf(ContactEvent event, Object contact) {
        return new ContactEvent(event.resolvedBy(), event.contactId(), event.mergedIntoContactId(),
                contact == null ? List.of() : references(json.valueToTree(contact).get("contactReferences")));
    }

    private static List<ReferencePair> references(JsonNode references) {
        List<ReferencePair> pairs = new ArrayList<>();
        if (references != null && references.isArray()) {
            for (JsonNode reference : references) {
                String source = reference.path("source").asText("");
                String id = reference.path("id").asText("");
                if (!source.isEmpty() && !id.isEmpty()) {
                    pairs.add(new ReferencePair(source, id));
                }
            }
        }
        return pairs;
    }
}
