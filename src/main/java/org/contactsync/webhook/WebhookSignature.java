package org.contactsync.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a webhook delivery comes from Virtuous: HMAC-SHA256 of the raw body under the subscription's secret,
 * sent Base64-encoded in a header whose name Virtuous does not publish ({@code sync.webhook.signature-header}).
 * Hex is accepted too, since Virtuous's own pages disagree. The comparison takes constant time.
 */
public class WebhookSignature {

    private final String secret;
    private final String headerName;

    public WebhookSignature(String secret, String headerName) {
        this.secret = secret;
        this.headerName = headerName;
    }

    public String headerName() {
        return headerName;
    }

    /** With no secret configured every delivery passes, as with an unsigned Virtuous subscription. */
    public boolean isValid(byte[] body, String signature) {
        if (secret == null || secret.isBlank()) {
            return true;
        }
        if (signature == null || signature.isBlank()) {
            return false;
        }
        byte[] expected = hmac(body);
        String given = signature.strip();
        byte[] asBase64 = Base64.getEncoder().encodeToString(expected).getBytes(StandardCharsets.US_ASCII);
        byte[] asHex = HexFormat.of().formatHex(expected).getBytes(StandardCharsets.US_ASCII);
        byte[] givenBytes = given.getBytes(StandardCharsets.US_ASCII);
        byte[] givenLowerHex = given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(asBase64, givenBytes) | MessageDigest.isEqual(asHex, givenLowerHex);
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSignature[" + headerName + "]";
    }
}
