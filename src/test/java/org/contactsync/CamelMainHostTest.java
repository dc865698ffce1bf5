package org.contactsync;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleHttp;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundle as a guest in a host's Camel Main, as docs/embedding.md adds it: the host has routes named dead-letter and
 * bulk-load and beans of its own (a ledger, a clock), and both the host's and the bundle's work side by side.
 */
class CamelMainHostTest {

    private static final String OPERATOR_PASSWORD = "host-operator-password";

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
        host.bind("syncLedger", "the host's own ledger");
        host.bind("clock", Clock.systemUTC());
        // the host's own settings and its own routes, then the bundle added as docs/embedding.md says
        host.configure().withRoutesIncludePattern("classpath:host/*.camel.yaml," + VirtuousSync.ROUTES);
        host.configure().withRoutesBuilderClasses(VirtuousSync.class.getName());
        Map.of("camel.server.enabled", "true", "camel.server.port", String.valueOf(port),
                "virtuous.api.base-url", sandbox.getBaseUrl(),
                "virtuous.api.key", sandbox.getApiKey(),
                "sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db"),
                "sync.inbox.dir", directory.resolve("inbox").toString(),
                "sync.webhook.public-url", "http://localhost:" + port,
                "sync.status.password", OPERATOR_PASSWORD).forEach(host::addOverrideProperty);
        host.start();

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
        sandbox.runBatch();
        bundle.awaitState("PartnerPlatform", "host-1", "SYNCED", this::routes);
    }

    private String routes() {
        return "routes in the host: " + host.getCamelContext().getRoutes().stream().map(route -> route.getId()).toList();
    }
}
