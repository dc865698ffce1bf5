package org.contactsync.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** {@code GET /sync/ui}: one self-contained HTML file that reads the status and dead-letter API. */
public class StatusPage {

    private final String html;

    public StatusPage() throws IOException {
        try (InputStream page = StatusPage.class.getResourceAsStream("/status/page.html")) {
            if (page == null) {
                throw new IOException("status/page.html is missing from the classpath");
            }
            html = new String(page.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public String html() {
        return html;
    }
}
