package org.contactsync;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.bundle.SettingException;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleProcess;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Readiness tells why the bundle cannot do its work, and the log says it once: without an API key (against a sandbox,
 * where a start without one is allowed) readiness is DOWN from the start with the setting to fix, donors are recorded
 * and wait, nothing is sent and nothing is logged per call; with no connection to Virtuous possible (a wrong base URL)
 * the open circuit makes it DOWN saying so, and the virtuous_sync_ready meter agrees. A database that cannot be reached fails the start
 * within sync.datasource.connection-timeout-ms, even one that takes the connection and never answers, naming its URL
 * with the password masked.
 */
class ReadinessReasonsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "url-password-0815";

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private SyncBundle bundle;

    @AfterEach
    void stop() {
        if (bundle != null) {
            bundle.close();
        }
        sandbox.stop();
    }

    @Test
    void withoutAKeyReadinessIsDownWithTheSettingToFixAndTheLogSaysSoOnce() throws Exception {
        sandbox.setPort(0);
        sandbox.start();
        try (BundleProcess process = new BundleProcess(directory, sandbox.getBaseUrl(), "", Map.of()).start()) {
            for (int i = 1; i <= 3; i++) {
                assertThat(process.http().postDonor("{\"referenceId\":\"no-key-" + i + "\",\"firstName\":\"Ada\",\"lastName\":\"Byron\"}")
                        .statusCode()).as("recorded, to wait for a key").isEqualTo(202);
            }
            for (int i = 0; i < 3; i++) {
                var health = process.http().get("/sync/health");
                assertThat(health.statusCode()).isEqualTo(503);
                Map<String, Object> access = check(health.body(), "virtuous-access");
                assertThat(access).containsEntry("state", "DOWN").containsEntry("message", "virtuous.api.key: empty; set VIRTUOUS_API_KEY");
            }
            assertThat(process.http().status()).containsEntry("RECEIVED", 3);
            process.stop();
            assertThat(sandbox.requests()).as("nothing can be sent without a key").isEmpty();
            List<String> log = process.log().lines().toList();
            assertThat(log).filteredOn(line -> line.contains("virtuous.api.key: empty")).as("said once").hasSize(1);
            assertThat(log).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
        }
    }

    @Test
    void withVirtuousUnreachableReadinessIsDownSayingSo() throws Exception {
        int closed = SyncBundle.freePort();
        bundle = SyncBundle.start(directory, "http://localhost:" + closed, "a-key", Map.of("virtuous.circuit.failure-threshold", "2"));
        assertThat(ready(bundle)).containsEntry("virtuous-access", 1.0).containsEntry("sync-database", 1.0);

        bundle.post("/donors", "{\"referenceId\":\"unreachable-1\",\"firstName\":\"Ada\",\"lastName\":\"Byron\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> "DOWN".equals(check(bundle.get("/sync/health").body(), "virtuous-access").get("state")));
        assertThat(check(bundle.get("/sync/health").body(), "virtuous-access")).containsEntry("state", "DOWN")
                .containsEntry("message", "Virtuous cannot be reached: the last 2 calls made no connection (last: HttpHostConnectException)");
        assertThat(bundle.observe("/observe/health/ready").status()).isEqualTo(503);
        assertThat(ready(bundle)).containsEntry("virtuous-access", 0.0).containsEntry("sync-database", 1.0);
        assertThat(bundle.entry("PartnerPlatform", "unreachable-1").state()).as("the donor waits").isEqualTo(SyncState.RECEIVED);
    }

    @Test
    void anUnreachableDatabaseFailsTheStartWithinTheTimeoutNamingTheMaskedUrl() throws Exception {
        // a server that takes connections and never answers: the driver would wait for it as long as it is let
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "jdbc:postgresql://localhost:" + silent.getLocalPort() + "/contactsync?user=sync&password=" + PASSWORD;
            long started = System.nanoTime();
            assertThatThrownBy(() -> new SyncDatabase(url, "sync", "", 2, 1000)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("sync.datasource.url=jdbc:postgresql://localhost:" + silent.getLocalPort()
                            + "/contactsync?user=sync&password=***: cannot connect within 1000 ms (sync.datasource.connection-timeout-ms)")
                    .satisfies(failure -> assertThat(failure.getMessage()).doesNotContain(PASSWORD));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1800));
        }

        int closed = SyncBundle.freePort();
        long started = System.nanoTime();
        assertThatThrownBy(() -> new SyncDatabase("jdbc:h2:tcp://localhost:" + closed + "/./ledger;PASSWORD=" + PASSWORD, "sa", "", 2, 1000))
                .hasMessageStartingWith("sync.datasource.url=jdbc:h2:tcp://localhost:" + closed + "/./ledger;PASSWORD=***: cannot connect within 1000 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1800));

        // through the bundle, the same line as the refusal of a setting
        assertThatThrownBy(() -> SyncBundle.start(directory, "http://localhost:" + closed, "a-key", Map.of(
                "sync.datasource.url", "jdbc:postgresql://localhost:" + closed + "/contactsync?password=" + PASSWORD,
                "sync.datasource.connection-timeout-ms", "1000")))
                .satisfies(failure -> assertThat(settingIn(failure).getMessage()).startsWith("sync.datasource.url=jdbc:postgresql://localhost:"
                        + closed + "/contactsync?password=***: cannot connect within 1000 ms").contains("refused").doesNotContain(PASSWORD));
    }

    private static SettingException settingIn(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SettingException setting) {
                return setting;
            }
        }
        throw new AssertionError("no SettingException behind " + failure, failure);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(String health, String id) throws Exception {
        Map<String, Object> view = JSON.readValue(health, new TypeReference<>() { });
        return (Map<String, Object>) ((Map<String, Object>) view.get("checks")).get(id);
    }

    /** virtuous_sync_ready by check, from the Prometheus scrape. */
    private static Map<String, Double> ready(SyncBundle bundle) throws Exception {
        Map<String, Double> ready = new java.util.TreeMap<>();
        bundle.observe("/observe/metrics").body().lines().filter(line -> line.startsWith("virtuous_sync_ready{")).forEach(line -> {
            String check = line.substring(line.indexOf("check=\"") + 7, line.indexOf('"', line.indexOf("check=\"") + 7));
            ready.put(check, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        });
        return ready;
    }
}
