package org.contactsync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.contactsync.ledger.SyncState;
import org.contactsync.testing.PostgresServer;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ledger's PostgreSQL goes away under a running bundle: readiness DOWN with the driver's reason (never the password),
 * liveness UP, a donor sent meanwhile refused with a 500 the platform retries (never accepted and lost); once the server is
 * back, readiness is UP again and the same donor syncs.
 */
class DatabaseOutageTest {

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().startedByTest();

    private PostgresServer postgres;

    /** The bundle's settings name the server, so it starts once the server is up. */
    @BeforeEach
    void start() throws Exception {
        postgres = PostgresServer.start();
        fixture.start(Map.of(
                "sync.datasource.url", postgres.url(),
                "sync.datasource.username", postgres.username(),
                "sync.datasource.password", postgres.password(),
                "sync.datasource.connection-timeout-ms", "2000"));
    }

    /** The bundle stops while its database is still there; the fixture's own stop comes after this. */
    @AfterEach
    void stop() throws Exception {
        fixture.stopBundle();
        postgres.close();
    }

    @Test
    void readinessFollowsTheDatabaseAndADonorSentDuringTheOutageIsRefusedNotLost() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().get("/sync/health").status() == 200);

        postgres.halt();

        await().atMost(Duration.ofSeconds(30)).until(() -> bundle().get("/sync/health").status() == 503);
        Map<String, Object> database = check(bundle().get("/sync/health"), "sync-database");
        assertThat(database).containsEntry("state", "DOWN");
        assertThat((String) database.get("message")).startsWith("the sync database cannot be reached").doesNotContain(postgres.password());
        assertThat(check(bundle().get("/sync/health"), "virtuous-access")).containsEntry("state", "UP");
        assertThat(bundle().observe("/observe/health/live").status()).as("a restart brings no database back").isEqualTo(200);
        String donor = "{\"referenceId\":\"outage-1\",\"firstName\":\"Rosalind\",\"lastName\":\"Franklin\"}";
        assertThat(bundle().post("/donors", donor).status()).as("not accepted, so the platform sends it again").isEqualTo(500);

        postgres.resume();

        await().atMost(Duration.ofSeconds(30)).until(() -> bundle().get("/sync/health").status() == 200);
        assertThat(bundle().post("/donors", donor).status()).isEqualTo(202);
        bundle().awaitState("PartnerPlatform", "outage-1", SyncState.PENDING);
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }

    @Test
    void aFileWhoseDonorsCouldNotBeRecordedStaysInTheInboxAndIsTakenOnceTheDatabaseIsBack() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().get("/sync/health").status() == 200);
        postgres.halt();
        await().atMost(Duration.ofSeconds(30)).until(() -> bundle().get("/sync/health").status() == 503);
        Path inbox = Files.createDirectories(fixture.directory().resolve("inbox"));
        Path file = Files.writeString(inbox.resolve("outage.csv"), "referenceId,firstName,lastName\noutage-file-1,Lise,Meitner\n");

        // the consumer holds the file while it tries to record it, and gives it back when that fails
        Path lock = inbox.resolve("outage.csv.camelLock");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(lock));
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(lock));
        assertThat(file).as("not recorded, so not moved").exists();
        assertThat(inbox.resolve(".failed")).doesNotExist();

        postgres.resume();

        await().atMost(Duration.ofSeconds(30)).until(() -> bundle().get("/sync/health").status() == 200);
        bundle().awaitState("PartnerPlatform", "outage-file-1", SyncState.PENDING);
        await().atMost(Duration.ofSeconds(20)).until(() -> !Files.exists(file));
        assertThat(inbox.resolve(".failed")).doesNotExist();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(SyncBundle.Response health, String id) throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) health.json().get("checks")).get(id);
    }
}
