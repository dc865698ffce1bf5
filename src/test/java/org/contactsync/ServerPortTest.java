package org.contactsync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesSource;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleProcess;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One HTTP port, however it is given: the port the server binds is the one the webhook subscription names, with
 * sync.webhook.public-url derived from {{camel.server.port}} as the demo derives it. The launcher in its own JVM, given
 * the port in its environment (CAMEL_SERVER_PORT, which Camel Main alone does not bind) or as a -D property; a Camel
 * Main that binds another port than the one its placeholders resolve does not start. camel run --port: CamelCliTest.
 */
class ServerPortTest {

    private static final Map<String, String> DERIVED_URL = Map.of("sync.webhook.public-url", "http://localhost:{{camel.server.port}}");

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();

    @BeforeEach
    void startSandbox() {
        sandbox.setPort(0);
        sandbox.start();
    }

    @AfterEach
    void stopSandbox() {
        sandbox.stop();
    }

    @Test
    void theEnvironmentsPortIsBoundAndSubscribed() throws Exception {
        try (BundleProcess bundle = new BundleProcess(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), DERIVED_URL)
                .withPortFromEnvironment().start()) {
            assertSubscribedAt(bundle);
        }
    }

    @Test
    void theSystemPropertysPortIsBoundAndSubscribed() throws Exception {
        try (BundleProcess bundle = new BundleProcess(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), DERIVED_URL).start()) {
            assertSubscribedAt(bundle);
        }
    }

    /**
     * A Camel Main whose placeholders resolve another port than its server binds, as a host's Camel Main or camel run
     * does given only CAMEL_SERVER_PORT: a properties source its server configuration does not read stands for the
     * environment variable here (a JVM cannot change its own environment).
     */
    @Test
    void aPortThePlaceholdersResolveButTheServerDoesNotBindStopsTheStart() throws Exception {
        int bound = SyncBundle.freePort();
        int resolved = SyncBundle.freePort();
        Main main = new Main();
        ContactSyncApplication.configure(main);
        main.configure().httpServer().setPort(bound);
        // a key, so the start gets past the settings' check to the server's port (nothing is sent: the start stops)
        Map.of("camel.management.enabled", "false", "sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(),
                "sync.inbox.dir", directory.resolve("inbox").toString(), "virtuous.api.key", "unused-key").forEach(main::addOverrideProperty);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configuring) {
                configuring.getCamelContext().getPropertiesComponent().addPropertiesSource(new PropertiesSource() {
                    @Override
                    public String getName() {
                        return "environment-like";
                    }

                    @Override
                    public String getProperty(String name) {
                        return name.equals("camel.server.port") ? String.valueOf(resolved) : null;
                    }
                });
            }
        });
        try {
            assertThatThrownBy(main::start).hasStackTraceContaining("camel.server.port: '" + resolved
                    + "' is not the port the HTTP server listens on (" + bound + ")");
        } finally {
            main.stop();
        }
    }

    private void assertSubscribedAt(BundleProcess bundle) {
        // start() waited for GET /sync/status to answer on the bundle's port
        await().atMost(Duration.ofSeconds(30)).until(() -> !sandbox.webhooks().isEmpty());
        List<Object> payloadUrls = sandbox.webhooks().stream().map(webhook -> webhook.get("payloadUrl")).toList();
        assertThat(payloadUrls).as(bundle::logTail).containsExactly(bundle.baseUrl() + "/webhooks/virtuous");
    }
}
