package org.contactsync.sandbox;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Formats instants the way the real API does: UTC without a zone suffix and with .NET's seven fractional digits. */
final class VirtuousTimestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS").withZone(ZoneOffset.UTC);

    private VirtuousTimestamps() {
    }

    static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
