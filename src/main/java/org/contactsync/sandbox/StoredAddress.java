package org.contactsync.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/** A ContactAddress; a Contact keeps all of them, and its GET shape shows only the primary one as {@code address}. */
final class StoredAddress {

    private final long id;
    private final boolean primary;
    private final Audit audit;
    private String address1;
    private String address2;
    private String city;
    private String state;
    private String postal;
    private String country;

    StoredAddress(long id, boolean primary, Audit audit) {
        this.id = id;
        this.primary = primary;
        this.audit = audit;
    }

    boolean isPrimary() {
        return primary;
    }

    /** Whether this is the address of the Transaction's street line and postal code, as the matching compares them. */
    boolean sameAs(ContactTransaction transaction) {
        return MatchKeys.text(address1).equals(MatchKeys.text(transaction.text("address1")))
                && MatchKeys.text(postal).equals(MatchKeys.text(transaction.text("postal")));
    }

    void fillBlanks(ContactTransaction transaction) {
        address1 = orElse(address1, transaction.text("address1"));
        address2 = orElse(address2, transaction.text("address2"));
        city = orElse(city, transaction.text("city"));
        state = orElse(state, transaction.text("state"));
        postal = orElse(postal, transaction.text("postal"));
        country = orElse(country, transaction.text("country"));
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("label", "Home");
        json.put("address1", address1);
        json.put("address2", address2);
        json.put("city", city);
        json.put("state", state);
        json.put("postal", postal);
        json.put("country", country);
        json.put("isPrimary", primary);
        json.put("canBePrimary", !primary);
        // A year-round address: seasonal ranges are only set in the UI.
        json.put("startMonth", 1);
        json.put("startDay", 1);
        json.put("endMonth", 12);
        json.put("endDay", 31);
        audit.writeTo(json);
        return json;
    }

    static boolean hasAddress(ContactTransaction transaction) {
        return MatchKeys.ADDRESS_FIELDS.stream().anyMatch(field -> transaction.text(field) != null);
    }

    private static String orElse(String current, String incoming) {
        return current == null ? incoming : current;
    }
}
