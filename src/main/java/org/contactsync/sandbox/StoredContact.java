package org.contactsync.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A Contact (a household or an organisation) with everything the GET shape shows, and all its addresses. */
final class StoredContact {

    private final long id;
    private final String contactType;
    private final Audit audit;
    private final List<StoredIndividual> individuals = new ArrayList<>();
    private final List<StoredAddress> addresses = new ArrayList<>();
    private final List<ContactReference> references = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> customFields = new LinkedHashMap<>();
    private String name;

    StoredContact(long id, String contactType, Audit audit) {
        this.id = id;
        this.contactType = contactType;
        this.audit = audit;
    }

    long id() {
        return id;
    }

    List<StoredIndividual> individuals() {
        return individuals;
    }

    List<StoredAddress> addresses() {
        return addresses;
    }

    StoredIndividual primaryIndividual() {
        return individuals.stream().filter(StoredIndividual::isPrimary).findFirst().orElseThrow();
    }

    boolean hasReference(ContactReference reference) {
        return references.contains(reference);
    }

    boolean hasEmail(String email) {
        return methods().anyMatch(method -> method.kind() == StoredContactMethod.Kind.EMAIL && method.value().equalsIgnoreCase(email));
    }

    boolean hasPhone(String digits) {
        return methods().anyMatch(method -> method.kind() == StoredContactMethod.Kind.PHONE && MatchKeys.digits(method.value()).equals(digits));
    }

    void fillBlankName(String incoming) {
        if (name == null) {
            name = incoming;
        }
    }

    void addReference(ContactReference reference) {
        if (!references.contains(reference)) {
            references.add(reference);
        }
    }

    void addTag(String tag) {
        if (tags.stream().noneMatch(tag::equalsIgnoreCase)) {
            tags.add(tag);
        }
    }

    void fillBlankCustomField(String fieldName, String value) {
        String current = customFields.get(fieldName);
        if (current == null || current.isBlank()) {
            customFields.put(fieldName, value);
        }
    }

    void touch(Instant at, String user) {
        audit.touch(at, user);
    }

    /** The GET /api/Contact/{id} shape (virtuous-api.md §2). */
    Map<String, Object> toJson() {
        String informalName = Optional.ofNullable(primaryIndividual().firstName()).orElse(name);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("isCurrentUserFollowing", false);
        json.put("id", id);
        json.put("contactType", contactType);
        json.put("isPrivate", false);
        json.put("isArchived", false);
        json.put("name", name);
        json.put("informalName", informalName);
        json.put("formalContactName", name);
        json.put("alternateContactName", null);
        json.put("preferredSalutationName", informalName);
        json.put("preferredAddresseeName", name);
        json.put("description", null);
        json.put("website", null);
        json.put("maritalStatus", null);
        json.put("anniversaryMonth", null);
        json.put("anniversaryDay", null);
        json.put("anniversaryYear", null);
        json.put("mergedIntoContactId", null);
        json.put("address", addresses.stream().filter(StoredAddress::isPrimary).findFirst().map(StoredAddress::toJson).orElse(null));
        // The sandbox records no gifts; these are the display strings Virtuous shows for a Contact without any.
        json.put("giftAskAmount", "$0");
        json.put("giftAskType", null);
        json.put("lifeToDateGiving", "$0");
        json.put("yearToDateGiving", "$0");
        json.put("lastGiftAmount", "$0");
        json.put("lastGiftDate", "Unavailable");
        json.put("contactIndividuals", individuals.stream().map(StoredIndividual::toJson).toList());
        json.put("contactGiftsUrl", "/api/Gift/ByContact/" + id);
        json.put("contactPassthroughGiftsUrl", "/api/Gift/Passthrough/ByContact/" + id);
        json.put("contactPlannedGiftsUrl", "/api/PlannedGift/ByContact/" + id);
        json.put("contactRecurringGiftsUrl", "/api/RecurringGift/ByContact/" + id);
        json.put("contactPledgesUrl", "/api/Pledge/ByContact/" + id);
        json.put("contactImportantNotesUrl", "/api/ContactNote/ImportantNotes/ByContact/" + id);
        json.put("contactNotesUrl", "/api/ContactNote/ByContact/" + id);
        json.put("contactTagsUrl", "/api/ContactTag/ByContact/" + id);
        json.put("contactRelationshipsUrl", "/api/Relationship/ByContact/" + id);
        json.put("primaryAvatarUrl", null);
        json.put("contactReferences", references.stream().map(ContactReference::toJson).toList());
        json.put("originSegmentId", null);
        json.put("originSegment", null);
        audit.writeTo(json);
        json.put("tags", List.copyOf(tags));
        json.put("organizationGroups", List.of());
        json.put("customFields", customFields.entrySet().stream().map(StoredContact::customField).toList());
        json.put("customCollections", List.of());
        return json;
    }

    private Stream<StoredContactMethod> methods() {
        return individuals.stream().flatMap(individual -> individual.contactMethods().stream());
    }

    private static Map<String, Object> customField(Map.Entry<String, String> field) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", field.getKey());
        json.put("value", field.getValue());
        json.put("dataType", "Text");
        return json;
    }
}
