package org.contactsync.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.contactsync.ContactSyncApplication;

/**
 * The README's run command ({@code mvn -B test-compile exec:java}): the local Virtuous sandbox on port 8089 with two
 * Contacts the sample donors meet, and the bundle (application.properties, an H2 file database under {@code data/})
 * pointed at it, subscribed to its webhooks, with the status page open, and the sample donor files dropped into the inbox
 * once it has started. No credentials, no network. The sandbox's "nightly" import runs every 30 s.
 * {@code -Ddemo.sandbox-port} and {@code -Ddemo.batch-interval-seconds} change those two.
 */
public final class DemoApplication {

    private DemoApplication() {
    }

    public static void main(String... args) throws Exception {
        int port = Integer.getInteger("demo.sandbox-port", 8089);
        EmbeddedSandbox sandbox = new EmbeddedSandbox(true, port, Long.getLong("demo.batch-interval-seconds", 30), true, "PartnerPlatform");
        sandbox.start();
        try {
            Main main = new Main();
            ContactSyncApplication.configure(main);
            ContactSyncApplication.portFromEnvironment(main);
            main.addOverrideProperty("virtuous.api.base-url", sandbox.sandbox().getBaseUrl());
            main.addOverrideProperty("virtuous.api.key", sandbox.apiKey());
            main.addOverrideProperty("sync.status.open", "true");
            // the sandbox delivers its webhooks to the bundle's own port (the bundle stops at start if it listens elsewhere)
            main.addOverrideProperty("sync.webhook.public-url", "http://localhost:{{camel.server.port:8080}}");
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterStart(BaseMainSupport started) {
                    dropSamples(Path.of(started.getCamelContext().resolvePropertyPlaceholders("{{sync.inbox.dir}}")));
                }
            });
            main.run(args);
        } finally {
            sandbox.stop();
        }
    }

    /** The sample donors, as a platform would drop them: written beside the inbox, then moved in. */
    public static void dropSamples(Path inbox) {
        try {
            Files.createDirectories(inbox);
            for (String sample : new String[] {"donors.csv", "donors.json"}) {
                Path part = inbox.resolveSibling("sample-" + sample + ".part");
                try (InputStream in = DemoApplication.class.getResourceAsStream("/samples/" + sample)) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(part, inbox.resolve("sample-" + sample), StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the sample donors could not be dropped into " + inbox, e);
        }
    }
}
