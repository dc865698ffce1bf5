package org.contactsync.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A text file the jar carries and the bundle serves as it is: the status page ({@code GET /sync/ui}) and the OpenAPI
 * document ({@code GET /sync/openapi.yaml}). Read once, at start, so a jar built without it fails there, not on a request.
 */
public class BundledFile {

    private final String text;
    private final String contentType;

    /** {@code path}: on the classpath, from its root. */
    public BundledFile(String path, String contentType) throws IOException {
        try (InputStream file = BundledFile.class.getResourceAsStream(path)) {
            if (file == null) {
                throw new IOException(path + " is missing from the classpath");
            }
            text = new String(file.readAllBytes(), StandardCharsets.UTF_8);
        }
        this.contentType = contentType;
    }

    public String text() {
        return text;
    }

    public String contentType() {
        return contentType;
    }
}
