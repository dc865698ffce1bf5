package org.contactsync.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A Contact (a household or an organisation) with everything the GET shape shows, and all its addresses. */
final class StoredContact {

    private static final List<String> NAME_FIELDS = List.of("name", "informalName", "formalContactName", "alternateContactName",
            "preferredSalutationName", "preferredAddresseeName");

    private final long id;
    private final Fields fields;
    private final List<StoredIndividual> individuals = new ArrayList<>();
    private final List<StoredAddress> addresses = new ArrayList<>();
    private final List<ContactReference> references = new ArrayList<>();
    private final List<String> tags = new ArrayList<>();
    private final Map<String, String> customFields = new LinkedHashMap<>();
    private Audit audit;
    private boolean archived;
    private Long mergedIntoContactId;

    StoredContact(long id, String contactType, Audit audit) {
        this(id, new Fields(BindingModel.CONTACT), audit);
        fields.set("contactType", contactType);
    }

    private StoredContact(long id, Fields fields, Audit audit) {
        this.id = id;
        this.fields = fields;
        this.audit = audit;
    }

    /** A deep copy, so a write can be applied and checked before it replaces the stored Contact. */
    StoredContact copy() {
        StoredContact copy = new StoredContact(id, fields.copy(), audit);
        individuals.forEach(individual -> copy.individuals.add(individual.copy()));
        addresses.forEach(address -> copy.addresses.add(address.copy()));
        copy.references.addAll(references);
        copy.tags.addAll(tags);
        copy.customFields.putAll(customFields);
        copy.archived = archived;
        copy.mergedIntoContactId = mergedIntoContactId;
        return copy;
    }

    long id() {
        return id;
    }

    Instant modified() {
        return audit.modified();
    }

    List<StoredIndividual> individuals() {
        return individuals;
    }

    List<StoredAddress> addresses() {
        return addresses;
    }

    List<ContactReference> references() {
        return references;
    }

    Optional<StoredIndividual> primaryIndividual() {
        return individuals.stream().filter(StoredIndividual::isPrimary).findFirst();
    }

    Optional<StoredIndividual> individual(long individualId) {
        return individuals.stream().filter(individual -> individual.id() == individualId).findFirst();
    }

    Optional<StoredAddress> address(long addressId) {
        return addresses.stream().filter(address -> address.id() == addressId).findFirst();
    }

    Optional<StoredAddress> primaryAddress() {
        return addresses.stream().filter(StoredAddress::isPrimary).findFirst();
    }

    Optional<StoredContactMethod> contactMethod(long methodId) {
        return individuals.stream().flatMap(individual -> individual.contactMethod(methodId).stream()).findFirst();
    }

    /** Not merged into another Contact: only live Contacts are visible through the API. */
    boolean isLive() {
        return mergedIntoContactId == null;
    }

    boolean isArchived() {
        return archived;
    }

    boolean hasReference(ContactReference reference) {
        return references.contains(reference);
    }

    boolean hasEmail(String email) {
        return emails().contains(email.toLowerCase(Locale.ROOT));
    }

    boolean hasPhone(String digits) {
        return methods().anyMatch(method -> method.kind() == StoredContactMethod.Kind.PHONE && MatchKeys.digits(method.value()).equals(digits));
    }

    Set<String> emails() {
        return methods().filter(method -> method.kind() == StoredContactMethod.Kind.EMAIL)
                .map(method -> method.value().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
    }

    /** An import names a new Contact from the payload: the display name, and the first name for the informal ones. */
    void fillBlankNames(String displayName, String firstName) {
        String informal = firstName == null ? displayName : firstName;
        fields.fillBlank("name", displayName);
        fields.fillBlank("formalContactName", displayName);
        fields.fillBlank("preferredAddresseeName", displayName);
        fields.fillBlank("informalName", informal);
        fields.fillBlank("preferredSalutationName", informal);
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
        audit = audit.touchedAt(at, user);
    }

    void archived(boolean archived) {
        this.archived = archived;
    }

    /** The losing side of a merge done in the UI (§7): its references move to the survivor, so a lookup by reference finds that. */
    void mergeInto(StoredContact survivor) {
        references.forEach(survivor::addReference);
        references.clear();
        mergedIntoContactId = survivor.id();
    }

    /**
     * Applies a body to one individual alone: marking it primary or secondary takes that role from the others, since
     * such a body cannot unmark them.
     */
    void applyToIndividual(StoredIndividual individual, ObjectNode body, ContactWrite write) {
        boolean wasPrimary = individual.isPrimary();
        boolean wasSecondary = individual.isSecondary();
        individual.apply(body, write, "");
        if (individual.isPrimary() && !wasPrimary) {
            takeRoleFromOthers(individual, "isPrimary");
        }
        if (individual.isSecondary() && !wasSecondary) {
            takeRoleFromOthers(individual, "isSecondary");
        }
    }

    /** A new individual; the first one of a Contact is its primary. */
    StoredIndividual addIndividual(ObjectNode body, ContactWrite write) {
        StoredIndividual added = new StoredIndividual(write.ids().nextIndividual(), id, write.newAudit());
        individuals.add(added);
        applyToIndividual(added, body, write);
        if (individuals.size() == 1) {
            added.fields().set("isPrimary", true);
        }
        return added;
    }

    /** Applies a ContactAddress body; {@code setAsPrimary} makes the address primary, and false does not unmake it. */
    void applyToAddress(StoredAddress address, ObjectNode body, ContactWrite write) {
        address.apply(body, write);
        if (body.path("setAsPrimary").booleanValue()) {
            addresses.forEach(other -> other.primary(other == address));
        }
    }

    /** A new address; the first one of a Contact is its primary. */
    StoredAddress addAddress(ObjectNode body, ContactWrite write) {
        StoredAddress added = new StoredAddress(write.ids().nextAddress(), write.newAudit());
        added.primary(addresses.isEmpty());
        addresses.add(added);
        applyToAddress(added, body, write);
        return added;
    }

    void apply(ObjectNode body, ContactWrite write) {
        fields.apply(body, write.semantics());
        if (write.appliesList(body, "contactIndividuals")) {
            List<StoredIndividual> applied = write.items(body.get("contactIndividuals"), individuals, StoredIndividual::id,
                    () -> new StoredIndividual(write.ids().nextIndividual(), id, write.newAudit()),
                    (individual, item, path) -> individual.apply(item, write, path), "contactIndividuals");
            individuals.clear();
            individuals.addAll(applied);
        }
        if (write.appliesList(body, "contactReferences")) {
            references.clear();
            forEachItem(body, "contactReferences", (item, path) -> applyReference(item, path, write));
        }
        if (write.appliesList(body, "tags")) {
            tags.clear();
            forEachItem(body, "tags", (item, path) -> Optional.ofNullable(SandboxJson.text(item)).ifPresent(this::addTag));
        }
        if (write.appliesList(body, "customFields")) {
            customFields.clear();
            forEachItem(body, "customFields", (item, path) -> applyCustomField(item, path, write));
        }
    }

    /** The rules that hold whatever was written; problems go to the write, which is then refused. */
    void validate(ContactWrite write, StoredContact before) {
        String contactType = fields.text("contactType");
        if (isBlank(contactType)) {
            write.problem("contactType", "REQUIRED", "The ContactType field is required.");
        } else if (!write.organisation().isContactType(contactType)) {
            write.problem("contactType", "INVALID_VALUE",
                    "'" + contactType + "' is not a contact type of this organization; see GET /api/Contact/Types.");
        }
        // A Transaction need not name anyone, so an import may leave a Contact unnamed; a write may not unname one.
        if (isBlank(fields.text("name")) && !isBlank(before.fields.text("name"))) {
            write.problem("name", "REQUIRED", "The Name field is required.");
        }
        // contacts-concept: exactly one individual is the primary, at most one the secondary.
        long primaries = individuals.stream().filter(StoredIndividual::isPrimary).count();
        if (!individuals.isEmpty() && primaries != 1) {
            write.problem("contactIndividuals", "PRIMARY_INDIVIDUAL",
                    "A Contact with individuals has exactly one primary individual, not " + primaries + ".");
        }
        if (individuals.stream().filter(StoredIndividual::isSecondary).count() > 1
                || individuals.stream().anyMatch(individual -> individual.isPrimary() && individual.isSecondary())) {
            write.problem("contactIndividuals", "SECONDARY_INDIVIDUAL",
                    "A Contact has at most one secondary individual, and it is not the primary one.");
        }
    }

    /** Stamps the Contact, which every write modifies, and each part whose values differ from {@code before}. */
    void stampChanges(StoredContact before, Instant at, String user) {
        touch(at, user);
        for (StoredIndividual individual : individuals) {
            before.individual(individual.id()).ifPresent(previous -> individual.stampChanges(previous, at, user));
        }
        for (StoredAddress address : addresses) {
            before.address(address.id()).ifPresent(previous -> address.stampChange(previous, at, user));
        }
    }

    /** The GET /api/Contact/{id} shape (virtuous-api.md §2). */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("isCurrentUserFollowing", false);
        json.put("id", id);
        json.put("contactType", fields.text("contactType"));
        json.put("isPrivate", fields.flag("isPrivate"));
        json.put("isArchived", archived);
        NAME_FIELDS.forEach(name -> json.put(name, fields.text(name)));
        for (String name : List.of("description", "website", "maritalStatus")) {
            json.put(name, fields.text(name));
        }
        for (String name : List.of("anniversaryMonth", "anniversaryDay", "anniversaryYear")) {
            json.put(name, fields.integer(name));
        }
        json.put("mergedIntoContactId", mergedIntoContactId);
        json.put("address", primaryAddress().map(StoredAddress::toJson).orElse(null));
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

    /**
     * The abbreviated shape Contact Query lists (§3.5). The keys are documented, the values are not: here the primary
     * individual's name, the primary address on one line, and the primary individual's primary email and phone.
     */
    Map<String, Object> toQueryJson() {
        Optional<StoredIndividual> primary = primaryIndividual();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("name", fields.text("name"));
        json.put("contactType", fields.text("contactType"));
        json.put("contactName", primary.map(StoredIndividual::fullName).orElse(null));
        json.put("address", primaryAddress().map(StoredAddress::oneLine).orElse(null));
        json.put("email", primary.flatMap(individual -> individual.primaryValue(StoredContactMethod.Kind.EMAIL)).orElse(null));
        json.put("phone", primary.flatMap(individual -> individual.primaryValue(StoredContactMethod.Kind.PHONE)).orElse(null));
        // The sandbox has no web app; this is where Virtuous's would show the Contact.
        json.put("contactViewUrl", "/Generosity/Contact/View/" + id);
        return json;
    }

    private void applyReference(JsonNode item, String path, ContactWrite write) {
        String source = SandboxJson.text(item.get("source"));
        String referenceId = SandboxJson.text(item.get("id"));
        if (source == null || referenceId == null) {
            write.problem(path, "REQUIRED", "A contact reference needs both a source and an id.");
        } else {
            addReference(new ContactReference(source, referenceId));
        }
    }

    private void applyCustomField(JsonNode item, String path, ContactWrite write) {
        String fieldName = SandboxJson.text(item.get("name"));
        if (fieldName == null) {
            write.problem(path + ".name", "REQUIRED", "The Name field is required.");
        } else {
            JsonNode value = item.get("value");
            customFields.put(fieldName, value == null || value.isNull() ? null : value.asText());
        }
    }

    /** Each item of the body's array property with its path; nothing for a left-out or null array. */
    private static void forEachItem(ObjectNode body, String property, BiConsumer<JsonNode, String> action) {
        JsonNode array = body.get(property);
        if (array != null && array.isArray()) {
            for (int i = 0; i < array.size(); i++) {
                action.accept(array.get(i), property + "[" + i + "]");
            }
        }
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }

    private void takeRoleFromOthers(StoredIndividual individual, String role) {
        individuals.stream().filter(other -> other != individual).forEach(other -> other.fields().set(role, false));
    }

    /**
     * An administrator renamed a value of the organisation's lists: the Contact reads with the new name, as the UI's
     * rename leaves the records that had the old one [INF]. Not a write of the Contact: no stamp changes.
     */
    void renamed(String list, String from, String to) {
        switch (list) {
            case OrganisationLists.CONTACT_TYPES -> {
                if (from.equals(fields.text("contactType"))) {
                    fields.set("contactType", to);
                }
            }
            case OrganisationLists.METHOD_TYPES -> methods().filter(method -> from.equals(method.fields().text("type")))
                    .forEach(method -> method.fields().set("type", to));
            case OrganisationLists.CUSTOM_FIELDS -> {
                if (customFields.containsKey(from)) {
                    Map<String, String> renamed = new LinkedHashMap<>();
                    customFields.forEach((name, value) -> renamed.put(name.equals(from) ? to : name, value));
                    customFields.clear();
                    customFields.putAll(renamed);
                }
            }
            default -> {
                // query options name no value of a Contact
            }
        }
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
