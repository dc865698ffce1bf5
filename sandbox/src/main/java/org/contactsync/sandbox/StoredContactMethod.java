package org.contactsync.sandbox;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An email or phone of a ContactIndividual. */
final class StoredContactMethod {

    enum Kind { EMAIL, PHONE }

    private final long id;
    private final Fields fields;
    private Audit audit;

    StoredContactMethod(long id, Audit audit) {
        this(id, new Fields(BindingModel.CONTACT_METHOD), audit);
    }

    private StoredContactMethod(long id, Fields fields, Audit audit) {
        this.id = id;
        this.fields = fields;
        this.audit = audit;
    }

    StoredContactMethod copy() {
        return new StoredContactMethod(id, fields.copy(), audit);
    }

    long id() {
        return id;
    }

    Fields fields() {
        return fields;
    }

    /** By the value, since {@code type} is free text: every write checks that a value with an @ is an email address. */
    Kind kind() {
        String value = value();
        return value != null && value.contains("@") ? Kind.EMAIL : Kind.PHONE;
    }

    String type() {
        return fields.text("type");
    }

    String value() {
        return fields.text("value");
    }

    /** Checks what the Transaction endpoint checks of an email, since this value may be matched on as one. */
    void apply(ObjectNode body, ContactWrite write, String path) {
        fields.apply(body, write.semantics());
        if (type() == null) {
            write.problem(path + "type", "REQUIRED", "The Type field is required.");
        }
        String value = value();
        if (value == null) {
            write.problem(path + "value", "REQUIRED", "The Value field is required.");
        } else if ((value.contains("@") || type() != null && type().toLowerCase(Locale.ROOT).contains("email"))
                && !TransactionValidator.isEmail(value)) {
            write.problem(path + "value", "INVALID_FORMAT", "'" + value + "' is not a valid email address.");
        }
    }

    void stampChange(StoredContactMethod before, Instant at, String user) {
        if (!fields.equals(before.fields)) {
            audit = audit.touchedAt(at, user);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("type", type());
        json.put("value", value());
        json.put("isOptedIn", fields.flag("isOptedIn"));
        json.put("isPrimary", fields.flag("isPrimary"));
        json.put("canBePrimary", !fields.flag("isPrimary"));
        audit.writeTo(json);
        return json;
    }
}
