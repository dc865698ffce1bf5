package org.contactsync.sandbox;

import java.util.List;
import java.util.Locale;

/** The normalised forms the nightly batch compares. */
final class MatchKeys {

    static final List<String> ADDRESS_FIELDS = List.of("address1", "address2", "city", "state", "postal", "country");

    private MatchKeys() {
    }

    /** Case- and whitespace-insensitive text; "" for null. */
    static String text(String value) {
        return value == null ? "" : value.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** Only the digits, so "(555) 010-0199" and "555.010.0199" are the same phone. */
    static String digits(String value) {
        return value == null ? "" : value.replaceAll("\\D", "");
    }
}
