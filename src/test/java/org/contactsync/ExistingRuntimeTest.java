package org.contactsync;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleHttp;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bundle in a Camel runtime it does not own: a plain context (no Camel Main, no application.properties) loads
 * VirtuousSync and its route files (VirtuousSync.ROUTES) and is given only the host's virtuous.* and sync.* settings; everything else is the
 * routes' own production defaults. platform-http needs an HTTP engine, which camel-main would provide: here the host
 * runs camel-platform-http-vertx's server itself, as a Camel runtime without camel-main does.
 */
class ExistingRuntimeTest {

    private static final String OPERATOR_PASSWORD = "host-operator-password";

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final CamelContext host = new DefaultCamelContext();

    @AfterEach
    void stop() {
        host.stop();
        sandbox.stop();
    }

    @Test
    void bundleRoutesJoinAHostContextAndSyncADonor() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.start();
        int port = SyncBundle.freePort();

        Properties settings = new Properties();
        settings.put("virtuous.api.base-url", sandbox.getBaseUrl());
        settings.put("virtuous.api.key", sandbox.getApiKey());
        settings.put("sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db"));
        settings.put("sync.inbox.dir", directory.resolve("inbox").toString());
        settings.put("sync.webhook.public-url", "http://localhost:" + port);
        settings.put("sync.status.password", OPERATOR_PASSWORD);
        host.getPropertiesComponent().setInitialProperties(settings);
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindPort(port);
        host.addService(new VertxPlatformHttpServer(server));
        // what a host adds: the bundle's RoutesBuilder and its route files
        host.addRoutes(new VirtuousSync());
        PluginHelper.getRoutesLoader(host).loadRoutes(PluginHelper.getPackageScanResourceResolver(host).findResources(VirtuousSync.ROUTES));
        host.start();

        assertThat(host.getRoute("virtuous-sync-donor-http-intake")).isNotNull();

        BundleHttp bundle = new BundleHttp("http://localhost:" + port, OPERATOR_PASSWORD);
        assertThat(bundle.postDonor("""
                {"referenceId": "esb-1", "firstName": "Caroline", "lastName": "Herschel", "email": "caroline@example.org"}""")
                .statusCode()).isEqualTo(202);
        bundle.awaitState("PartnerPlatform", "esb-1", "PENDING", this::routes);
        // the import's webhooks go to the subscriptions Virtuous has then: the bundle's is made a second after its start
        await().atMost(Duration.ofSeconds(20)).until(() -> !sandbox.webhooks().isEmpty());
        sandbox.runBatch();
        Map<String, Object> synced = bundle.awaitState("PartnerPlatform", "esb-1", "SYNCED", this::routes);

        Map<String, Object> contact = BundleHttp.contact(sandbox, "PartnerPlatform", "esb-1");
        assertThat(contact.get("id")).isEqualTo(synced.get("contactId"));
        assertThat(contact.get("name")).asString().contains("Caroline").contains("Herschel");
    }

    private String routes() {
        return "routes in the host: " + host.getRoutes().stream().map(route -> route.getId()).toList();
    }
}
