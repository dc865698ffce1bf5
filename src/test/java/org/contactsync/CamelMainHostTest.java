package org.contactsync;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleHttp;
import org.contactsync.testing.BundleMetrics;
import org.contactsync.testing.DocSnippets;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bundle as a guest in a host's Camel Main, as docs/embedding.md adds it: the host's application.properties is the
 * page's Camel Main block, read from the page (only its two ports changed for free ones), so the page cannot drift from
 * what a host needs. The host has routes named dead-letter and bulk-load and beans of its own (a ledger, a clock), both
 * the host's and the bundle's work side by side, the management port serves health and metrics, and the host stops.
 */
class CamelMainHostTest {

    private static final String OPERATOR_PASSWORD = "host-operator-password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final Main host = new Main();

    @AfterEach
    void stop() {
        host.stop();
        sandbox.stop();
    }

    @Test
    void theBundleJoinsAHostWithRoutesAndBeansNamedLikeItsOwnAndBothWork() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.start();
        int port = SyncBundle.freePort();
        int managementPort = SyncBundle.freePort();
        host.bind("syncLedger", "the host's own ledger");
        host.bind("clock", Clock.systemUTC());
        // the host's application.properties: the docs' block and nothing else (not the bundle's own, on this classpath)
        Path settings = directory.resolve("application.properties");
        Files.write(settings, DocSnippets.blocks(Path.of("docs/embedding.md"), "Camel Main", "properties"));
        host.setPropertyPlaceholderLocations("file:" + settings);
        Map.of("camel.server.port", String.valueOf(port), "camel.management.port", String.valueOf(managementPort),
                "virtuous.api.base-url", sandbox.getBaseUrl(),
                "virtuous.api.key", sandbox.getApiKey(),
                "sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db"),
                "sync.inbox.dir", directory.resolve("inbox").toString(),
                "sync.webhook.public-url", "http://localhost:" + port,
                "sync.status.password", OPERATOR_PASSWORD).forEach(host::addOverrideProperty);
        host.start();
        assertThat(host.getCamelContext().getPropertiesComponent().getLocations()).containsExactly("file:" + settings);

        try (ProducerTemplate template = host.getCamelContext().createProducerTemplate()) {
            assertThat(template.requestBody("direct:dead-letter", "x", String.class)).isEqualTo("host dead letter: x");
            assertThat(template.requestBody("direct:bulk-load", "y", String.class)).isEqualTo("host bulk load: y");
        }
        assertThat(host.getCamelContext().getRegistry().lookupByName("syncLedger")).isEqualTo("the host's own ledger");
        assertThat(host.getCamelContext().getRoute("virtuous-sync-dead-letter")).isNotNull();
        assertThat(host.getCamelContext().getRoute("virtuous-sync-bulk-load")).isNotNull();

        BundleHttp bundle = new BundleHttp("http://localhost:" + port, OPERATOR_PASSWORD);
        assertThat(bundle.postDonor("""
                {"referenceId": "host-1", "firstName": "Mary", "lastName": "Anning", "email": "mary@example.org"}""").statusCode()).isEqualTo(202);
        bundle.awaitState("PartnerPlatform", "host-1", "PENDING", this::routes);
        // the import's webhooks go to the subscriptions Virtuous has then: the bundle's is made a second after its start
        await().atMost(Duration.ofSeconds(20)).until(() -> !sandbox.webhooks().isEmpty());
        sandbox.runBatch();
        bundle.awaitState("PartnerPlatform", "host-1", "SYNCED", this::routes);

        String management = "http://localhost:" + managementPort;
        HttpResponse<String> ready = get(management + "/observe/health/ready");
        assertThat(ready.statusCode()).as(ready::body).isEqualTo(200);
        for (String check : List.of("virtuous-access", "sync-database", "virtuous-rate-budget")) {
            assertThat(ready.body()).as(check).containsPattern("\"name\": ?\"" + check + "\",\\s*\"status\": ?\"UP\"");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = get(management + "/observe/metrics").body();
            assertThat(metrics).contains("virtuous_sync_donors{state=\"SYNCED\"} 1.0");
            BundleMetrics.assertReadNumbers(metrics);
        });

        long stopping = System.nanoTime();
        host.stop();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(10));
        assertThat(host.getCamelContext().isStopped()).isTrue();
        for (int freed : List.of(port, managementPort)) {
            try (ServerSocket socket = new ServerSocket(freed)) {
                assertThat(socket.getLocalPort()).isEqualTo(freed);
            }
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String routes() {
        return "routes in the host: " + host.getCamelContext().getRoutes().stream().map(route -> route.getId()).toList();
    }
}
