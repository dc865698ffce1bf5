package org.contactsync.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.contactsync.ledger.ReferencePair;

/**
 * Validates and normalises a donor into the Contact Transaction's flat payload: values trimmed, emails
 * lower-cased, natural JSON types, defaults made explicit. Rejects what Virtuous would reject, one reason per field.
 * Other fields are left out rather than sent, except the two only an update can apply to a Contact: {@code archived}
 * and {@code contactReferences} (see {@code DonorChanges#UPDATE_ONLY}).
 */
public class DonorValidator {

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$");
    private static final Set<String> TEXT_FIELDS = Set.of("referenceSource", "referenceId", "contactType", "name", "title",
            "firstName", "middleName", "lastName", "suffix", "gender", "emailType", "email", "phoneType", "phone",
            "address1", "address2", "city", "state", "postal", "country", "eventName", "originSegmentCode");
    /** {@code archived}: the platform deleted or archived the donor; the update path archives (or unarchives) its Contact. */
    private static final Set<String> BOOLEAN_FIELDS = Set.of("invited", "rsvp", "rsvpResponse", "attended", "archived");
    /** The Transaction template types these as strings; they are checked as numbers and sent as given. */
    private static final Map<String, int[]> BIRTH_FIELDS = Map.of("birthMonth", new int[] {1, 12}, "birthDay", new int[] {1, 31},
            "birthYear", new int[] {1850, 2200});
    private static final Set<String> STRUCTURED_FIELDS = Set.of("emailLists", "customObjects", "volunteerAttendances");

    private final String defaultReferenceSource;
    private final String defaultContactType;
    private final String defaultEmailType;
    private final String defaultPhoneType;

    public DonorValidator(String defaultReferenceSource, String defaultContactType, String defaultEmailType, String defaultPhoneType) {
        this.defaultReferenceSource = defaultReferenceSource;
        this.defaultContactType = defaultContactType;
        this.defaultEmailType = defaultEmailType;
        this.defaultPhoneType = defaultPhoneType;
    }

    /** For a replay: throws with the reasons when the donor would be rejected again. */
    public void requireValid(DonorInput input) {
        ValidatedDonor validated = validate(input);
        if (!validated.isValid()) {
            throw new IllegalArgumentException("the replayed donor is still invalid: " + validated.getReason());
        }
    }

    public ValidatedDonor validate(DonorInput input) {
        if (input.parseError() != null) {
            return new ValidatedDonor(input, Map.of(), null, List.of(input.parseError()));
        }
        Map<String, Object> donor = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        input.fields().forEach((field, value) -> normalise(field, value, donor, problems));

        donor.putIfAbsent("referenceSource", defaultReferenceSource);
        donor.putIfAbsent("contactType", defaultContactType);
        if (!donor.containsKey("referenceId")) {
            problems.add("referenceId: required, the platform's stable id for the donor");
        }
        boolean hasPersonName = donor.containsKey("firstName") && donor.containsKey("lastName");
        if (!hasPersonName && !donor.containsKey("name")) {
            problems.add("name: required, either firstName and lastName, or name");
        }
        if (donor.containsKey("email")) {
            if (!EMAIL.matcher((String) donor.get("email")).matches()) {
                problems.add("email: '" + donor.get("email") + "' is not an email address");
            }
            donor.putIfAbsent("emailType", defaultEmailType);
        }
        if (donor.containsKey("phone")) {
            donor.putIfAbsent("phoneType", defaultPhoneType);
        }
        ReferencePair reference = donor.containsKey("referenceId")
                ? new ReferencePair((String) donor.get("referenceSource"), (String) donor.get("referenceId")) : null;
        return new ValidatedDonor(input, donor, reference, problems);
    }

    private void normalise(String field, Object value, Map<String, Object> donor, List<String> problems) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            return;
        }
        if (TEXT_FIELDS.contains(field)) {
            if (value instanceof Map || value instanceof List) {
                problems.add(field + ": expected text");
                return;
            }
            String text = value.toString().strip();
            donor.put(field, field.equals("email") ? text.toLowerCase(Locale.ROOT) : text);
        } else if (BOOLEAN_FIELDS.contains(field)) {
            Boolean flag = value instanceof Boolean b ? b : parseBoolean(value.toString());
            if (flag == null) {
                problems.add(field + ": expected true or false, found '" + value + "'");
            } else {
                donor.put(field, flag);
            }
        } else if (BIRTH_FIELDS.containsKey(field)) {
            int[] range = BIRTH_FIELDS.get(field);
            String text = value.toString().strip();
            if (!text.matches("\\d{1,4}") || Integer.parseInt(text) < range[0] || Integer.parseInt(text) > range[1]) {
                problems.add(field + ": expected a number from " + range[0] + " to " + range[1] + ", found '" + value + "'");
            } else {
                donor.put(field, text);
            }
        } else if (field.equals("eventId")) {
            String text = value.toString().strip();
            if (text.matches("\\d{1,18}")) {
                donor.put(field, Long.parseLong(text));
            } else {
                problems.add("eventId: expected a whole number, found '" + value + "'");
            }
        } else if (field.equals("tags")) {
            donor.put(field, tags(value));
        } else if (field.equals("customFields")) {
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> custom = new LinkedHashMap<>();
                map.forEach((name, fieldValue) -> custom.put(name.toString().strip(), fieldValue));
                donor.put(field, custom);
            } else {
                problems.add("customFields: expected an object of name to value");
            }
        } else if (field.equals("contactReferences")) {
            List<Map<String, Object>> references = references(value);
            if (references == null) {
                problems.add("contactReferences: expected source:id pairs, as [{\"source\":\"Shop\",\"id\":\"c-9\"}] or \"Shop:c-9;Events:e-1\"");
            } else {
                donor.put(field, references);
            }
        } else if (STRUCTURED_FIELDS.contains(field)) {
            if (value instanceof List) {
                donor.put(field, value);
            } else {
                problems.add(field + ": expected an array");
            }
        }
    }

    /** The Transaction payload takes tags as one semicolon-separated string. */
    private static String tags(Object value) {
        List<String> tags = new ArrayList<>();
        Iterable<?> items = value instanceof List<?> list ? list : List.of(value.toString().split(";"));
        for (Object item : items) {
            String tag = item.toString().strip();
            if (!tag.isEmpty()) {
                tags.add(tag);
            }
        }
        return String.join(";", tags);
    }

    /**
     * The donor's other external references (another product of the platform, say), each {source, id} as Virtuous
     * keeps them; a CSV cell holds them as {@code source:id} pairs separated by semicolons. Null when malformed.
     */
    private static List<Map<String, Object>> references(Object value) {
        List<Map<String, Object>> references = new ArrayList<>();
        Iterable<?> items = value instanceof List<?> list ? list : List.of(value.toString().split(";"));
        for (Object item : items) {
            Object source;
            Object id;
            if (item instanceof Map<?, ?> map) {
                source = map.get("source");
                id = map.get("id");
            } else {
                String[] pair = item.toString().split(":", 2);
                source = pair[0];
                id = pair.length == 2 ? pair[1] : null;
            }
            if (source == null || id == null || source.toString().isBlank() || id.toString().isBlank()) {
                return null;
            }
            Map<String, Object> reference = new LinkedHashMap<>();
            reference.put("source", source.toString().strip());
            reference.put("id", id.toString().strip());
            references.add(reference);
        }
        return references;
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> Boolean.TRUE;
            case "false", "no", "0" -> Boolean.FALSE;
            default -> null;
        };
    }
}
