package org.contactsync.ledger;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.contactsync.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The database's promises: commits on disk before they return, refused settings that would break that, versioned schema. */
class SyncDatabaseTest {

    @TempDir
    Path directory;

    @Test
    void h2IsOpenedWithCommitsWrittenAtOnceAndWeakerUrlsAreRefusedByName() {
        assertThat(SyncDatabase.durableH2("jdbc:h2:file:./data/x")).isEqualTo("jdbc:h2:file:./data/x;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(SyncDatabase.durableH2("jdbc:h2:file:./data/x;write_delay=0;DB_CLOSE_ON_EXIT=FALSE"))
                .isEqualTo("jdbc:h2:file:./data/x;write_delay=0;DB_CLOSE_ON_EXIT=FALSE");
        assertThatThrownBy(() -> SyncDatabase.durableH2("jdbc:h2:file:./data/x;MODE=PostgreSQL;WRITE_DELAY=500"))
                .hasMessageContaining("sync.datasource.url").hasMessageContaining("WRITE_DELAY=500");
        assertThatThrownBy(() -> SyncDatabase.durableH2("jdbc:h2:mem:ledger")).hasMessageContaining("in-memory");
        assertThatThrownBy(() -> new SyncDatabase("jdbc:mysql://host/db", "u", "p", 1, 1000))
                .hasMessage("sync.datasource.url must be a jdbc:h2: or jdbc:postgresql: URL");
    }

    /**
     * A real process that commits and then dies at once (Runtime.halt: no shutdown hook, no close, as a kill -9 leaves
     * the files). Under H2's default 500 ms write delay every one of these rows was lost.
     */
    @Test
    void whatACommitReturnedForSurvivesTheProcessDyingAtOnce() throws Exception {
        String url = "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath();
        Process writer = new ProcessBuilder(TestJvm.command(CommitThenHalt.class.getName(), url, "25"))
                .redirectErrorStream(true).start();
        String output = new String(writer.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("committed 25");

        SyncDatabase database = new SyncDatabase(url, "sa", "", 1, 5000);
        try {
            assertThat(new LedgerViews(new SyncLedger(database, java.time.Clock.systemUTC(), new ClusterNode("n", 0), 300))
                    .countsByState().get(SyncState.RECEIVED)).isEqualTo(25);
        } finally {
            database.close();
        }
    }

    /** A database made by release 0.1, which applied its schema on every start, keeps every row and gains the new columns. */
    @Test
    void aDatabaseOfTheLastReleaseIsUpgradedInPlaceWithNothingLost() throws Exception {
        String url = "jdbc:h2:file:" + directory.resolve("old").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement statement = c.createStatement()) {
            String script;
            // migration 1 is release 0.1's schema, applied here exactly as that release applied it on every start
            try (InputStream in = SyncDatabaseTest.class.getResourceAsStream("/db/migration/V1__release_0_1.sql")) {
                script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
            statement.execute("INSERT INTO sync_ledger (reference_source, reference_id, state, donor_json, fingerprint, attempts, received_at, "
                    + "submitted_at, updated_at, baseline_json) VALUES ('P', 'pending-1', 'PENDING', '{\"referenceId\":\"pending-1\"}', 'f1', 1, "
                    + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{}')");
            statement.execute("INSERT INTO sync_ledger (reference_source, reference_id, state, donor_json, fingerprint, attempts, received_at, "
                    + "updated_at, contact_id, resolved_by) VALUES ('P', 'synced-1', 'SYNCED', '{\"referenceId\":\"synced-1\"}', 'f2', 1, "
                    + "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 42, 'found-by-reference')");
            statement.execute("INSERT INTO sync_history (reference_source, reference_id, state, detail, at) VALUES ('P', 'pending-1', "
                    + "'PENDING', 'Contact Transaction submitted', CURRENT_TIMESTAMP)");
            statement.execute("INSERT INTO dead_letter (reference_source, reference_id, stage, reason, original_input, attempts, failed_at) "
                    + "VALUES ('P', 'failed-1', 'intake', 'email: bad', 'raw', 1, CURRENT_TIMESTAMP)");
        }

        SyncDatabase database = new SyncDatabase(url, "sa", "", 2, 5000);
        try {
            database.migrate();
            SyncLedger ledger = new SyncLedger(database, java.time.Clock.systemUTC(), new ClusterNode("n", 0), 300);

            LedgerEntry pending = ledger.entry(new ReferencePair("P", "pending-1"));
            assertThat(pending.state()).isEqualTo(SyncState.PENDING);
            assertThat(pending.isSubmitAccepted()).as("release 0.1 recorded PENDING only after Virtuous's 200").isTrue();
            assertThat(ledger.entry(new ReferencePair("P", "synced-1")).contactId()).isEqualTo(42L);
            assertThat(ledger.history(new ReferencePair("P", "pending-1"))).hasSize(1);
            assertThat(database.jdbc().queryForObject("SELECT COUNT(*) FROM dead_letter", Integer.class)).isEqualTo(1);
            List<Map<String, Object>> versions = database.jdbc().queryForList("SELECT \"version\" FROM \"flyway_schema_history\" "
                    + "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
            assertThat(versions).extracting(row -> row.get("version")).as("baselined, then every migration").containsExactly("0", "1", "2", "3", "4", "5", "6", "7");

            int applied = database.jdbc().queryForObject("SELECT COUNT(*) FROM \"flyway_schema_history\"", Integer.class);
            database.migrate();
            assertThat(database.jdbc().queryForObject("SELECT COUNT(*) FROM \"flyway_schema_history\"", Integer.class))
                    .as("a second start migrates nothing").isEqualTo(applied);
        } finally {
            database.close();
        }
    }

    /** The writer of {@link #whatACommitReturnedForSurvivesTheProcessDyingAtOnce}: each donor is admitted, then the process halts. */
    public static final class CommitThenHalt {

        public static void main(String... args) {
            SyncDatabase database = new SyncDatabase(args[0], "sa", "", 2, 5000);
            try {
                database.migrate();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            Admissions admissions = new Admissions(new SyncLedger(database, java.time.Clock.systemUTC(), new ClusterNode("n", 0), 300));
            int donors = Integer.parseInt(args[1]);
            for (int i = 0; i < donors; i++) {
                admissions.receive(new ReferencePair("P", "d-" + i), Map.of("referenceId", "d-" + i, "firstName", "Ada", "lastName", "L"));
            }
            System.out.println("committed " + donors);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }
}
