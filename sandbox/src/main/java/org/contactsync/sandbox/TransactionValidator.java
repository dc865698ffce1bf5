package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The checks the Transaction and Batch endpoints make before accepting a payload into the holding state. */
final class TransactionValidator {

    static final String UNKNOWN_VALUE = "INVALID_VALUE";
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private TransactionValidator() {
    }

    /**
     * {@code fieldPrefix} locates the payload in the request, e.g. {@code contacts[2].} for a Batch item. A value the
     * organisation lacks (a Contact Type, a contact method type, a custom field) is an {@value #UNKNOWN_VALUE} error.
     */
    static List<FieldError> validate(ContactTransaction transaction, String fieldPrefix, OrganisationLists organisation) {
        List<FieldError> errors = new ArrayList<>();
        String contactType = transaction.text("contactType");
        if (contactType != null && !organisation.isContactType(contactType)) {
            errors.add(new FieldError(fieldPrefix + "contactType", UNKNOWN_VALUE,
                    "'" + contactType + "' is not a contact type of this organization; see GET /api/Contact/Types."));
        }
        for (String field : List.of("emailType", "phoneType")) {
            String type = transaction.text(field);
            if (type != null && !organisation.isMethodType(type)) {
                errors.add(new FieldError(fieldPrefix + field, UNKNOWN_VALUE,
                        "'" + type + "' is not a contact method type of this organization; see GET /api/ContactMethod/Types."));
            }
        }
        for (String name : transaction.customFields().keySet()) {
            if (!organisation.isCustomField(name)) {
                errors.add(new FieldError(fieldPrefix + "customFields." + name, UNKNOWN_VALUE,
                        "'" + name + "' is not a custom field of this organization; see GET /api/Contact/CustomFields."));
            }
        }
        String email = transaction.text("email");
        if (email != null && !isEmail(email)) {
            errors.add(new FieldError(fieldPrefix + "email", "INVALID_FORMAT", "'" + email + "' is not a valid email address."));
        }
        return errors;
    }

    static boolean isEmail(String text) {
        return EMAIL.matcher(text).matches();
    }

    /** Counts the payloads' values the organisation lacks as refused by its import. */
    static void countRefusals(List<FieldError> errors, OrganisationLists organisation) {
        organisation.refused((int) errors.stream().filter(error -> error.code().equals(UNKNOWN_VALUE)).count());
    }
}
