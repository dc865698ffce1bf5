package org.contactsync.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.ledger.ReferencePair;

/**
 * Validates and normalises a donor into the Contact Transaction's flat payload: values trimmed, emails
 * lower-cased, natural JSON types, defaults made explicit. Rejects what Virtuous would reject, one reason per field.
 * Other fields are left out rather than sent, except the two only an update can apply to a Contact: {@code archived}
 * and {@code contactReferences} (see {@code DonorChanges#UPDATE_ONLY}). No value is longer than
 * {@code sync.intake.max-field-length}, nor the reference pair longer than the ledger's columns, nor the donor larger than
 * the ledger keeps: past those a donor is rejected with the reason rather than failing in the database.
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
    /** The ledger's columns (reference_source, reference_id, donor_json) and how much of a value a reason quotes. */
    private static final int REFERENCE_SOURCE_MAX = 100;
    private static final int REFERENCE_ID_MAX = 200;
    private static final int DONOR_JSON_MAX = 100_000;
    private static final int QUOTED_MAX = 100;

    private final String defaultReferenceSource;
    private final String defaultContactType;
    private final String defaultEmailType;
    private final String defaultPhoneType;
    private final int maxFieldLength;
    private final ObjectMapper json = new ObjectMapper();

    public DonorValidator(String defaultReferenceSource, String defaultContactType, String defaultEmailType, String defaultPhoneType,
            int maxFieldLength) {
        this.defaultReferenceSource = defaultReferenceSource;
        this.defaultContactType = defaultContactType;
        this.defaultEmailType = defaultEmailType;
        this.defaultPhoneType = defaultPhoneType;
        this.maxFieldLength = maxFieldLength;
    }

    /** For a replay: throws with the reasons when the donor would be rejected again. */
    public void requireValid(DonorInput input) {
        ValidatedDonor validated = validate(input);
        if (!validated.isValid()) {
            throw new IllegalArgumentException("the replayed donor is still invalid: " + validated.getReason());
        }
    }

    public ValidatedDonor validate(DonorInput input) {
        return validate(input, null);
    }

    /** With the delivery's own referenceSource (a source's Kamelet parameter) for donors without one; null: the setting's. */
    public ValidatedDonor validate(DonorInput input, String deliveryReferenceSource) {
        if (input.parseError() != null) {
            return new ValidatedDonor(input, Map.of(), null, List.of(input.parseError()));
        }
        Map<String, Object> donor = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        input.fields().forEach((field, value) -> normalise(field, value, donor, problems));

        boolean badReference = problems.stream().anyMatch(problem -> problem.startsWith("referenceSource:") || problem.startsWith("referenceId:"));
        donor.putIfAbsent("referenceSource", deliveryReferenceSource == null || deliveryReferenceSource.isBlank()
                ? defaultReferenceSource : deliveryReferenceSource);
        donor.putIfAbsent("contactType", defaultContactType);
        if (!donor.containsKey("referenceId") && !badReference) {
            problems.add("referenceId: required, the platform's stable id for the donor");
        }
        boolean hasPersonName = donor.containsKey("firstName") && donor.containsKey("lastName");
        if (!hasPersonName && !donor.containsKey("name")) {
            problems.add("name: required, either firstName and lastName, or name");
        }
        if (donor.containsKey("email")) {
            if (!EMAIL.matcher((String) donor.get("email")).matches()) {
                problems.add("email: " + quote(donor.get("email")) + " is not an email address");
            }
            donor.putIfAbsent("emailType", defaultEmailType);
        }
        if (donor.containsKey("phone")) {
            donor.putIfAbsent("phoneType", defaultPhoneType);
        }
        int size = jsonLength(donor);
        if (size > DONOR_JSON_MAX) {
            problems.add("donor: " + size + " characters as JSON, more than the " + DONOR_JSON_MAX + " the ledger keeps");
        }
        // a pair read from a rejected referenceSource or referenceId is not the donor's: it must not mark another donor FAILED
        ReferencePair reference = donor.containsKey("referenceId") && !badReference
                ? new ReferencePair((String) donor.get("referenceSource"), (String) donor.get("referenceId")) : null;
        return new ValidatedDonor(input, donor, reference, problems);
    }

    private int jsonLength(Map<String, Object> donor) {
        try {
            return json.writeValueAsString(donor).length();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("donor cannot be written as JSON", e);
        }
    }

    private int maxLength(String field) {
        return switch (field) {
            case "referenceSource" -> Math.min(maxFieldLength, REFERENCE_SOURCE_MAX);
            case "referenceId" -> Math.min(maxFieldLength, REFERENCE_ID_MAX);
            default -> maxFieldLength;
        };
    }

    /** A value as a reason quotes it: never the whole of a value too long to be read in a log line. */
    private static String quote(Object value) {
        String text = String.valueOf(value);
        return "'" + (text.length() > QUOTED_MAX ? text.substring(0, QUOTED_MAX) + "...' (" + text.length() + " characters)" : text + "'");
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
            if (text.length() > maxLength(field)) {
                problems.add(field + ": " + text.length() + " characters, longer than the " + maxLength(field) + " allowed");
                return;
            }
            donor.put(field, field.equals("email") ? text.toLowerCase(Locale.ROOT) : text);
        } else if (BOOLEAN_FIELDS.contains(field)) {
            Boolean flag = value instanceof Boolean b ? b : parseBoolean(value.toString());
            if (flag == null) {
                problems.add(field + ": expected true or false, found " + quote(value));
            } else {
                donor.put(field, flag);
            }
        } else if (BIRTH_FIELDS.containsKey(field)) {
            int[] range = BIRTH_FIELDS.get(field);
            String text = value.toString().strip();
            if (!text.matches("\\d{1,4}") || Integer.parseInt(text) < range[0] || Integer.parseInt(text) > range[1]) {
                problems.add(field + ": expected a number from " + range[0] + " to " + range[1] + ", found " + quote(value));
            } else {
                donor.put(field, text);
            }
        } else if (field.equals("eventId")) {
            String text = value.toString().strip();
            if (text.matches("\\d{1,18}")) {
                donor.put(field, Long.parseLong(text));
            } else {
                problems.add("eventId: expected a whole number, found " + quote(value));
            }
        } else if (field.equals("tags")) {
            String tags = tags(value);
            if (tags.length() > maxFieldLength) {
                problems.add("tags: " + tags.length() + " characters, longer than the " + maxFieldLength + " allowed");
            } else {
                donor.put(field, tags);
            }
        } else if (field.equals("customFields")) {
            if (value instanceof Map<?, ?> map) {
                Map<String, Object> custom = new LinkedHashMap<>();
                map.forEach((name, fieldValue) -> {
                    String key = name.toString().strip();
                    int length = Math.max(key.length(), fieldValue instanceof String text ? text.length() : 0);
                    if (length > maxFieldLength) {
                        problems.add("customFields." + quote(key) + ": longer than the " + maxFieldLength + " characters allowed");
                    } else {
                        custom.put(key, fieldValue);
                    }
                });
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
