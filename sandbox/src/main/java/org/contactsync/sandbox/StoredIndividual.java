package org.contactsync.sandbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A person inside a Contact, owning that person's emails and phones. */
final class StoredIndividual {

    private final long id;
    private final long contactId;
    private final Fields fields;
    private final List<StoredContactMethod> contactMethods = new ArrayList<>();
    private Audit audit;
    private Integer approximateAge;

    StoredIndividual(long id, long contactId, Audit audit) {
        this(id, contactId, new Fields(BindingModel.CONTACT_INDIVIDUAL), audit);
    }

    private StoredIndividual(long id, long contactId, Fields fields, Audit audit) {
        this.id = id;
        this.contactId = contactId;
        this.fields = fields;
        this.audit = audit;
    }

    StoredIndividual copy() {
        StoredIndividual copy = new StoredIndividual(id, contactId, fields.copy(), audit);
        contactMethods.forEach(method -> copy.contactMethods.add(method.copy()));
        copy.approximateAge = approximateAge;
        return copy;
    }

    long id() {
        return id;
    }

    Fields fields() {
        return fields;
    }

    boolean isPrimary() {
        return fields.flag("isPrimary");
    }

    boolean isSecondary() {
        return fields.flag("isSecondary");
    }

    String firstName() {
        return fields.text("firstName");
    }

    /** "firstName lastName", or null when the individual has neither. */
    String fullName() {
        String name = Stream.of(firstName(), fields.text("lastName")).filter(Objects::nonNull).collect(Collectors.joining(" "));
        return name.isEmpty() ? null : name;
    }

    /** The value of the primary email or phone, else of the first one. */
    Optional<String> primaryValue(StoredContactMethod.Kind kind) {
        return contactMethods.stream().filter(method -> method.kind() == kind)
                .min(Comparator.comparing(method -> !method.fields().flag("isPrimary")))
                .map(StoredContactMethod::value);
    }

    List<StoredContactMethod> contactMethods() {
        return contactMethods;
    }

    Optional<StoredContactMethod> contactMethod(long methodId) {
        return contactMethods.stream().filter(method -> method.id() == methodId).findFirst();
    }

    boolean isNamed(String first, String last) {
        return MatchKeys.text(firstName()).equals(first) && MatchKeys.text(fields.text("lastName")).equals(last);
    }

    boolean hasMethodOfKind(StoredContactMethod.Kind kind) {
        return contactMethods.stream().anyMatch(method -> method.kind() == kind);
    }

    void fillBlanks(ContactTransaction transaction, Instant now) {
        fields.fillBlank("prefix", transaction.text("title"));
        for (String name : List.of("firstName", "middleName", "lastName", "suffix", "gender")) {
            fields.fillBlank(name, transaction.text(name));
        }
        for (String name : List.of("birthMonth", "birthDay", "birthYear")) {
            fields.fillBlank(name, transaction.integer(name));
        }
        refreshAge(now);
    }

    void apply(ObjectNode body, ContactWrite write, String path) {
        fields.apply(body, write.semantics());
        refreshAge(write.now());
        if (write.appliesList(body, "contactMethods")) {
            List<StoredContactMethod> methods = write.items(body.get("contactMethods"), contactMethods, StoredContactMethod::id,
                    () -> new StoredContactMethod(write.ids().nextContactMethod(), write.newAudit()),
                    (method, item, itemPath) -> method.apply(item, write, itemPath), path + "contactMethods");
            contactMethods.clear();
            contactMethods.addAll(methods);
        }
    }

    StoredContactMethod addContactMethod(ObjectNode body, ContactWrite write) {
        StoredContactMethod added = new StoredContactMethod(write.ids().nextContactMethod(), write.newAudit());
        added.apply(body, write, "");
        contactMethods.add(added);
        return added;
    }

    /** Stamps this individual and its contact methods where their values differ from {@code before}. */
    void stampChanges(StoredIndividual before, Instant at, String user) {
        if (!fields.equals(before.fields)) {
            audit = audit.touchedAt(at, user);
        }
        for (StoredContactMethod method : contactMethods) {
            before.contactMethod(method.id()).ifPresent(previous -> method.stampChange(previous, at, user));
        }
    }

    Map<String, Object> toJson() {
        Integer birthMonth = fields.integer("birthMonth");
        Integer birthDay = fields.integer("birthDay");
        Integer birthYear = fields.integer("birthYear");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("contactId", contactId);
        for (String name : List.of("prefix", "prefix2", "firstName", "middleName", "lastName", "preMarriageName", "suffix", "nickname", "gender")) {
            json.put(name, fields.text(name));
        }
        json.put("isPrimary", isPrimary());
        json.put("canBePrimary", !isPrimary());
        json.put("isSecondary", isSecondary());
        json.put("canBeSecondary", !isPrimary());
        json.put("birthMonth", birthMonth);
        json.put("birthDay", birthDay);
        json.put("birthYear", birthYear);
        json.put("birthDate", birthMonth == null || birthDay == null || birthYear == null
                ? null : birthMonth + "/" + birthDay + "/" + birthYear);
        json.put("approximateAge", approximateAge);
        json.put("isDeceased", fields.flag("isDeceased"));
        json.put("deceasedDate", Optional.ofNullable(fields.text("deceasedDate")).orElse(""));
        json.put("passion", fields.text("passion"));
        json.put("avatarUrl", null);
        json.put("contactMethods", contactMethods.stream().map(StoredContactMethod::toJson).toList());
        audit.writeTo(json);
        json.put("customFields", List.of());
        json.put("customCollections", List.of());
        return json;
    }

    private void refreshAge(Instant now) {
        Integer birthYear = fields.integer("birthYear");
        approximateAge = birthYear == null ? null : LocalDate.ofInstant(now, ZoneOffset.UTC).getYear() - birthYear;
    }
}
