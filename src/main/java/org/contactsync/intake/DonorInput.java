package org.contactsync.intake;

import java.util.Map;

/**
 * One donor as it arrived, before validation: its fields when they could be read, the exact text it came as
 * (what the dead letter keeps), where it came from, and why it could not be read when it could not.
 */
public record DonorInput(Map<String, Object> fields, String rawText, String origin, String parseError) {

    public static DonorInput parsed(Map<String, Object> fields, String rawText, String origin) {
        return new DonorInput(fields, rawText, origin, null);
    }

    public static DonorInput unreadable(String rawText, String origin, String parseError) {
        return new DonorInput(null, rawText, origin, parseError);
    }
}
