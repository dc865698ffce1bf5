package org.contactsync.sandbox;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A ContactAddress; a Contact keeps all of them, and its GET shape shows only the primary one as {@code address}. */
final class StoredAddress {

    private static final List<String> TEXT_FIELDS = List.of("label", "address1", "address2", "city", "state", "postal", "country");
    private static final List<String> SEASON_FIELDS = List.of("startMonth", "startDay", "endMonth", "endDay");

    private final long id;
    private final Fields fields;
    private boolean primary;
    private Audit audit;

    StoredAddress(long id, Audit audit) {
        this(id, new Fields(BindingModel.CONTACT_ADDRESS), false, audit);
    }

    private StoredAddress(long id, Fields fields, boolean primary, Audit audit) {
        this.id = id;
        this.fields = fields;
        this.primary = primary;
        this.audit = audit;
    }

    StoredAddress copy() {
        return new StoredAddress(id, fields.copy(), primary, audit);
    }

    long id() {
        return id;
    }

    Fields fields() {
        return fields;
    }

    boolean isPrimary() {
        return primary;
    }

    void primary(boolean primary) {
        this.primary = primary;
    }

    /** The street lines, city, state, postal code and country that are set, comma-separated. */
    String oneLine() {
        return TEXT_FIELDS.stream().filter(name -> !name.equals("label")).map(fields::text)
                .filter(text -> text != null && !text.isBlank()).collect(Collectors.joining(", "));
    }

    /** Whether this is the address of the Transaction's street line and postal code, as the matching compares them. */
    boolean sameAs(ContactTransaction transaction) {
        return MatchKeys.text(fields.text("address1")).equals(MatchKeys.text(transaction.text("address1")))
                && MatchKeys.text(fields.text("postal")).equals(MatchKeys.text(transaction.text("postal")));
    }

    void fillBlanks(ContactTransaction transaction) {
        MatchKeys.ADDRESS_FIELDS.forEach(name -> fields.fillBlank(name, transaction.text(name)));
    }

    void apply(ObjectNode body, ContactWrite write) {
        fields.apply(body, write.semantics());
    }

    void stampChange(StoredAddress before, Instant at, String user) {
        if (!fields.equals(before.fields) || primary != before.primary) {
            audit = audit.touchedAt(at, user);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        TEXT_FIELDS.forEach(name -> json.put(name, fields.text(name)));
        json.put("isPrimary", primary);
        json.put("canBePrimary", !primary);
        SEASON_FIELDS.forEach(name -> json.put(name, fields.integer(name)));
        audit.writeTo(json);
        return json;
    }

    static boolean hasAddress(ContactTransaction transaction) {
        return MatchKeys.ADDRESS_FIELDS.stream().anyMatch(field -> transaction.text(field) != null);
    }
}
