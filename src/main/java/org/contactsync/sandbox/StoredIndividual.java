package org.contactsync.sandbox;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A person inside a Contact, owning that person's emails and phones. */
final class StoredIndividual {

    private final long id;
    private final long contactId;
    private final boolean primary;
    private final Audit audit;
    private final List<StoredContactMethod> contactMethods = new ArrayList<>();
    private String prefix;
    private String firstName;
    private String middleName;
    private String lastName;
    private String suffix;
    private String gender;
    private Integer birthMonth;
    private Integer birthDay;
    private Integer birthYear;
    private Integer approximateAge;

    StoredIndividual(long id, long contactId, boolean primary, Audit audit) {
        this.id = id;
        this.contactId = contactId;
        this.primary = primary;
        this.audit = audit;
    }

    boolean isPrimary() {
        return primary;
    }

    String firstName() {
        return firstName;
    }

    List<StoredContactMethod> contactMethods() {
        return contactMethods;
    }

    boolean isNamed(String first, String last) {
        return MatchKeys.text(firstName).equals(first) && MatchKeys.text(lastName).equals(last);
    }

    boolean hasMethodOfKind(StoredContactMethod.Kind kind) {
        return contactMethods.stream().anyMatch(method -> method.kind() == kind);
    }

    void addContactMethod(StoredContactMethod method) {
        contactMethods.add(method);
    }

    void fillBlanks(ContactTransaction transaction, LocalDate today) {
        prefix = orElse(prefix, transaction.text("title"));
        firstName = orElse(firstName, transaction.text("firstName"));
        middleName = orElse(middleName, transaction.text("middleName"));
        lastName = orElse(lastName, transaction.text("lastName"));
        suffix = orElse(suffix, transaction.text("suffix"));
        gender = orElse(gender, transaction.text("gender"));
        birthMonth = orElse(birthMonth, transaction.integer("birthMonth"));
        birthDay = orElse(birthDay, transaction.integer("birthDay"));
        birthYear = orElse(birthYear, transaction.integer("birthYear"));
        approximateAge = birthYear == null ? null : today.getYear() - birthYear;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("contactId", contactId);
        json.put("prefix", prefix);
        json.put("prefix2", null);
        json.put("firstName", firstName);
        json.put("middleName", middleName);
        json.put("lastName", lastName);
        json.put("preMarriageName", null);
        json.put("suffix", suffix);
        json.put("nickname", null);
        json.put("gender", gender);
        json.put("isPrimary", primary);
        json.put("canBePrimary", !primary);
        json.put("isSecondary", false);
        json.put("canBeSecondary", !primary);
        json.put("birthMonth", birthMonth);
        json.put("birthDay", birthDay);
        json.put("birthYear", birthYear);
        json.put("birthDate", birthMonth == null || birthDay == null || birthYear == null
                ? null : birthMonth + "/" + birthDay + "/" + birthYear);
        json.put("approximateAge", approximateAge);
        json.put("isDeceased", false);
        json.put("deceasedDate", "");
        json.put("passion", null);
        json.put("avatarUrl", null);
        json.put("contactMethods", contactMethods.stream().map(StoredContactMethod::toJson).toList());
        audit.writeTo(json);
        json.put("customFields", List.of());
        json.put("customCollections", List.of());
        return json;
    }

    private static <T> T orElse(T current, T incoming) {
        return current == null ? incoming : current;
    }
}
