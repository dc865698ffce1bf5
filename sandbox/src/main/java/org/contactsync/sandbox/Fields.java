package org.contactsync.sandbox;

import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The read-write scalar properties of one record, by name, as its {@link BindingModel} declares them. */
final class Fields {

    private final BindingModel model;
    private final Map<String, Object> values;

    Fields(BindingModel model) {
        this(model, new HashMap<>());
    }

    private Fields(BindingModel model, Map<String, Object> values) {
        this.model = model;
        this.values = values;
    }

    Fields copy() {
        return new Fields(model, new HashMap<>(values));
    }

    String text(String name) {
        return (String) values.get(name);
    }

    Integer integer(String name) {
        return (Integer) values.get(name);
    }

    boolean flag(String name) {
        return Boolean.TRUE.equals(values.get(name));
    }

    void set(String name, Object value) {
        // Null and false are the same as never set, so that two records with the same values are equal.
        if (value == null || Boolean.FALSE.equals(value)) {
            values.remove(name);
        } else {
            values.put(name, value);
        }
    }

    /** An import fills only what is blank, never overwriting what staff entered. */
    void fillBlank(String name, Object value) {
        Object current = values.get(name);
        if (current == null || current instanceof String text && text.isBlank()) {
            set(name, value);
        }
    }

    /** Applies a type-checked body. Text is stored trimmed, the kind of normalisation the seed says a PUT answer may show. */
    void apply(ObjectNode body, PutSemantics semantics) {
        for (BindingModel.Property property : model.storedScalars()) {
            JsonNode node = body.get(property.name());
            if (node != null) {
                set(property.name(), valueOf(property.type(), node));
            } else if (semantics == PutSemantics.REPLACE) {
                set(property.name(), null);
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fields fields && fields.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    private static Object valueOf(BindingModel.Type type, JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        return switch (type) {
            case BOOLEAN -> node.booleanValue();
            case INTEGER -> node.intValue();
            default -> node.asText().trim();
        };
    }
}
