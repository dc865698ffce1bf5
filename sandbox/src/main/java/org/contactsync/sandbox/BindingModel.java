package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request body model as ASP.NET binds it: each known property's JSON type, and whether a write sets it. Unknown
 * properties are ignored, as model binding ignores them. The type check is strict where the live API's model is typed:
 * the spec types nearly everything as a string, but a string-typed boolean or number is a 400 "type mismatch"
 * (update-a-contact seed), and a client must learn that from its tests, not in production.
 */
final class BindingModel {

    enum Type { TEXT, BOOLEAN, INTEGER, TEXT_LIST, OBJECT, OBJECT_LIST }

    /** Read-only properties are type-checked and otherwise ignored, so a GET-then-PUT body binds. */
    enum Access { READ_WRITE, READ_ONLY, WRITE_ONLY }

    record Property(String name, Type type, Access access, BindingModel items) {
    }

    private static final String[] AUDIT = {"createDateTimeUtc", "createdByUser", "modifiedDateTimeUtc", "modifiedByUser"};

    static final BindingModel CONTACT_METHOD = new BindingModel("contactMethod")
            .property(Type.INTEGER, Access.READ_ONLY, "id", "contactIndividualId")
            .property(Type.TEXT, Access.READ_WRITE, "type", "value")
            .property(Type.BOOLEAN, Access.READ_WRITE, "isOptedIn", "isPrimary")
            .property(Type.BOOLEAN, Access.READ_ONLY, "canBePrimary")
            .property(Type.TEXT, Access.READ_ONLY, AUDIT);

    static final BindingModel CONTACT_INDIVIDUAL = new BindingModel("contactIndividual")
            .property(Type.INTEGER, Access.READ_ONLY, "id", "contactId", "approximateAge")
            .property(Type.TEXT, Access.READ_WRITE, "prefix", "prefix2", "firstName", "middleName", "lastName", "preMarriageName",
                    "suffix", "nickname", "gender", "deceasedDate", "passion")
            .property(Type.BOOLEAN, Access.READ_WRITE, "isPrimary", "isSecondary", "isDeceased")
            .property(Type.BOOLEAN, Access.READ_ONLY, "canBePrimary", "canBeSecondary")
            .property(Type.INTEGER, Access.READ_WRITE, "birthMonth", "birthDay", "birthYear")
            .property(Type.TEXT, Access.READ_ONLY, "birthDate", "avatarUrl")
            .list("contactMethods", Access.READ_WRITE, CONTACT_METHOD)
            .property(Type.TEXT, Access.READ_ONLY, AUDIT);

    /** {@code setAsPrimary} is the write-only way to make an address primary; {@code isPrimary} only shows it (§3.6). */
    static final BindingModel CONTACT_ADDRESS = new BindingModel("contactAddress")
            .property(Type.INTEGER, Access.READ_ONLY, "id", "contactId")
            .property(Type.TEXT, Access.READ_WRITE, "label", "address1", "address2", "city", "state", "postal", "country")
            .property(Type.BOOLEAN, Access.READ_ONLY, "isPrimary", "canBePrimary")
            .property(Type.BOOLEAN, Access.WRITE_ONLY, "setAsPrimary")
            .property(Type.INTEGER, Access.READ_WRITE, "startMonth", "startDay", "endMonth", "endDay")
            .property(Type.TEXT, Access.READ_ONLY, AUDIT);

    static final BindingModel CONTACT_REFERENCE = new BindingModel("contactReference")
            .property(Type.TEXT, Access.READ_WRITE, "source", "id");

    static final BindingModel CUSTOM_FIELD = new BindingModel("customField")
            .property(Type.TEXT, Access.READ_WRITE, "name", "value")
            .property(Type.TEXT, Access.READ_ONLY, "dataType", "displayName");

    /**
     * {@code address} is only the read view of the primary ContactAddress: addresses change through
     * /api/ContactAddress (update-a-contact seed), and the write model differs from the read one (§2), so a PUT of
     * the Contact leaves them alone. {@code isArchived} changes only through /Archive and /Unarchive (§3.4).
     */
    static final BindingModel QUERY_CONDITION = new BindingModel("condition")
            .property(Type.TEXT, Access.READ_WRITE, "parameter", "operator", "value", "secondaryValue")
            .property(Type.TEXT_LIST, Access.READ_WRITE, "values");

    static final BindingModel QUERY_GROUP = new BindingModel("group")
            .list("conditions", Access.READ_WRITE, QUERY_CONDITION);

    static final BindingModel CONTACT_QUERY = new BindingModel("query")
            .list("groups", Access.READ_WRITE, QUERY_GROUP)
            .property(Type.TEXT, Access.READ_WRITE, "sortBy")
            .property(Type.BOOLEAN, Access.READ_WRITE, "descending", "includeArchived");

    static final BindingModel CONTACT = new BindingModel("contact")
            .property(Type.BOOLEAN, Access.READ_ONLY, "isCurrentUserFollowing", "isArchived")
            .property(Type.INTEGER, Access.READ_ONLY, "id", "mergedIntoContactId", "originSegmentId")
            .property(Type.TEXT, Access.READ_WRITE, "contactType", "name", "informalName", "formalContactName", "alternateContactName",
                    "preferredSalutationName", "preferredAddresseeName", "description", "website", "maritalStatus")
            .property(Type.BOOLEAN, Access.READ_WRITE, "isPrivate")
            .property(Type.INTEGER, Access.READ_WRITE, "anniversaryMonth", "anniversaryDay", "anniversaryYear")
            .object("address", CONTACT_ADDRESS)
            .property(Type.TEXT, Access.READ_ONLY, "giftAskAmount", "giftAskType", "lifeToDateGiving", "yearToDateGiving",
                    "lastGiftAmount", "lastGiftDate", "primaryAvatarUrl")
            .list("contactIndividuals", Access.READ_WRITE, CONTACT_INDIVIDUAL)
            .list("contactReferences", Access.READ_WRITE, CONTACT_REFERENCE)
            .property(Type.TEXT_LIST, Access.READ_WRITE, "tags")
            .property(Type.TEXT_LIST, Access.READ_ONLY, "organizationGroups")
            .list("customFields", Access.READ_WRITE, CUSTOM_FIELD)
            .property(Type.TEXT, Access.READ_ONLY, AUDIT);

    private final String name;
    private final Map<String, Property> properties = new LinkedHashMap<>();

    private BindingModel(String name) {
        this.name = name;
    }

    /** The action parameter name ASP.NET prefixes legacy modelState keys with. */
    String name() {
        return name;
    }

    /**
     * Binds a request to this model and runs it: a body that is not an object, or holds a value of the wrong type, is
     * a 400; a refused request gets its status.
     */
    ApiResponse bind(ApiRequest request, ApiErrors errors, Function<ObjectNode, ApiResponse> handler) {
        Optional<ObjectNode> body = request.jsonObject();
        if (body.isEmpty()) {
            return errors.invalidRequest(name, FieldError.bodyNotAnObject());
        }
        List<FieldError> typeErrors = typeErrors(body.get());
        if (!typeErrors.isEmpty()) {
            return errors.invalidRequest(name, typeErrors);
        }
        try {
            return handler.apply(body.get());
        } catch (RequestRefused refusal) {
            return errors.refused(name, refusal);
        }
    }

    /** The read-write scalars, which a record keeps in its {@link Fields}. */
    List<Property> storedScalars() {
        return properties.values().stream()
                .filter(property -> property.access() == Access.READ_WRITE)
                .filter(property -> property.type() == Type.TEXT || property.type() == Type.BOOLEAN || property.type() == Type.INTEGER)
                .toList();
    }

    /** Every value the model cannot hold, each named by its path in the body, e.g. {@code contactIndividuals[0].isPrimary}. */
    List<FieldError> typeErrors(ObjectNode body) {
        List<FieldError> errors = new ArrayList<>();
        check(body, "", errors);
        return errors;
    }

    private void check(JsonNode object, String prefix, List<FieldError> errors) {
        for (Property property : properties.values()) {
            JsonNode value = object.get(property.name());
            if (value != null) {
                checkValue(property, value, prefix + property.name(), errors);
            }
        }
    }

    private static void checkValue(Property property, JsonNode value, String path, List<FieldError> errors) {
        boolean fits = switch (property.type()) {
            case TEXT -> value.isValueNode();
            // A .NET bool cannot be null; the GET shape never shows one as null.
            case BOOLEAN -> value.isBoolean();
            case INTEGER -> value.isNull() || value.isIntegralNumber() && value.canConvertToInt();
            case TEXT_LIST -> value.isNull() || value.isArray() && allMatch(value, JsonNode::isValueNode);
            case OBJECT -> value.isNull() || value.isObject();
            case OBJECT_LIST -> value.isNull() || value.isArray() && allMatch(value, JsonNode::isObject);
        };
        if (!fits) {
            errors.add(new FieldError(path, "INVALID_TYPE",
                    "Error converting value " + value + " to type '" + dotNetType(property) + "'. Path '" + path + "'."));
        } else if (property.type() == Type.OBJECT && value.isObject()) {
            property.items().check(value, path + ".", errors);
        } else if (property.type() == Type.OBJECT_LIST && value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                property.items().check(value.get(i), path + "[" + i + "].", errors);
            }
        }
    }

    private static boolean allMatch(JsonNode array, Predicate<JsonNode> test) {
        for (JsonNode item : array) {
            if (!test.test(item)) {
                return false;
            }
        }
        return true;
    }

    private static String dotNetType(Property property) {
        return switch (property.type()) {
            case TEXT -> "System.String";
            case BOOLEAN -> "System.Boolean";
            case INTEGER -> "System.Nullable`1[System.Int32]";
            case TEXT_LIST -> "System.Collections.Generic.List`1[System.String]";
            case OBJECT -> property.items().typeName();
            case OBJECT_LIST -> "System.Collections.Generic.List`1[" + property.items().typeName() + "]";
        };
    }

    private String typeName() {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    private BindingModel property(Type type, Access access, String... names) {
        for (String property : names) {
            properties.put(property, new Property(property, type, access, null));
        }
        return this;
    }

    private BindingModel object(String property, BindingModel items) {
        properties.put(property, new Property(property, Type.OBJECT, Access.READ_ONLY, items));
        return this;
    }

    private BindingModel list(String property, Access access, BindingModel items) {
        properties.put(property, new Property(property, Type.OBJECT_LIST, access, items));
        return this;
    }
}
