package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The checks the Transaction and Batch endpoints make before accepting a payload into the holding state. */
final class TransactionValidator {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private TransactionValidator() {
    }

    /** {@code fieldPrefix} locates the payload in the request, e.g. {@code contacts[2].} for a Batch item. */
    static List<FieldError> validate(ContactTransaction transaction, String fieldPrefix) {
        List<FieldError> errors = new ArrayList<>();
        String contactType = transaction.text("contactType");
        if (contactType != null && !ContactTypes.isKnown(contactType)) {
            errors.add(new FieldError(fieldPrefix + "contactType", "INVALID_VALUE",
                    "'" + contactType + "' is not a contact type of this organization; see GET /api/Contact/Types."));
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
}
