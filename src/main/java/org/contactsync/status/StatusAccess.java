package org.contactsync.status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one set of credentials (HTTP Basic) for the status page and the operator API: donors' data and the replay of dead
 * letters. Checked in the routes rather than by the HTTP server, so it holds the same in Camel Main, Camel JBang and an ESB.
 * Without a password the page and API refuse every request, unless {@code sync.status.open} says to serve them without
 * credentials (the README's demo against the local sandbox: no real donor behind it).
 */
public class StatusAccess {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.status");

    private final byte[] expected;
    private final boolean open;

    public StatusAccess(String username, String password, boolean open) {
        boolean noPassword = password == null || password.isEmpty();
        this.open = open;
        this.expected = noPassword ? null : digest(username + ":" + password);
        if (open) {
            LOG.warn("Status page and operator API open without credentials (sync.status.open): for a demo against the local sandbox only");
        } else if (noPassword) {
            LOG.warn("Status page and operator API refuse every request until SYNC_STATUS_PASSWORD is set");
        }
    }

    /** Whether a request with this {@code Authorization} header is turned away. */
    public boolean refuses(@Header("Authorization") String authorization) {
        if (open) {
            return false;
        }
        if (expected == null || authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return true;
        }
        String given;
        try {
            given = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true;
        }
        // digests have one length, so the comparison takes the same time whatever was sent
        return !MessageDigest.isEqual(expected, digest(given));
    }

    private static byte[] digest(String credentials) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(credentials.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
