package org.contactsync;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An operator fixes a rotated API key the way they fix anything in production: stop the bundle (SIGTERM), set the key,
 * start it. The stop is quick although every donor is waiting for the key, the donors are not lost, and the restarted
 * bundle, under the same node name, takes its own claims back at once instead of waiting out their lease.
 */
class StopAndStartTest {

    private static final String ROTATED_KEY = "vk-rotated-2b7e9c";

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private BundleProcess bundle;

    @AfterEach
    void stop() throws Exception {
        if (bundle != null) {
            bundle.close();
        }
        sandbox.stop();
    }

    @Test
    void aStopWithinTheGracePeriodLosesNothingAndTheRestartedNodeMovesItsDonorsAtOnce() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.setApiKey(ROTATED_KEY);
        sandbox.start();
        // a lease far longer than the test: only the bundle giving its claims back lets the restart move the donors
        bundle = new BundleProcess(directory, sandbox.getBaseUrl(), "vk-the-old-key", Map.of("sync.claim-lease-seconds", "600",
                "virtuous.auth.probe-interval-ms", "300")).start();
        for (int i = 1; i <= 10; i++) {
            assertThat(bundle.http().postDonor("{\"referenceId\":\"key-" + i + "\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}")
                    .statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.requests().stream().filter(request -> request.status() == 401).count() >= 2);

        Duration stopped = bundle.stop();

        assertThat(stopped).as("Docker's default grace is 10 s").isLessThan(Duration.ofSeconds(10));
        try (Connection c = bundle.database(); Statement query = c.createStatement();
             ResultSet row = query.executeQuery("SELECT COUNT(*), COUNT(claimed_by) FROM sync_ledger WHERE state = 'RECEIVED'")) {
            row.next();
            assertThat(row.getInt(1)).as("every donor still there, waiting").isEqualTo(10);
            assertThat(row.getInt(2)).as("claims given up at the stop").isZero();
        }

        bundle.withEnvironment("VIRTUOUS_API_KEY", ROTATED_KEY).start();

        await().atMost(Duration.ofSeconds(30)).until(() -> ((Number) bundle.http().status().get("PENDING")).intValue() == 10
                && sandbox.requestCount("POST", "/api/Contact/Transaction") == 10);
        assertThat(sandbox.heldTransactions()).as("each donor submitted once").hasSize(10);
        assertThat(bundle.log()).doesNotContain(ROTATED_KEY);
    }
}
