package org.contactsync.health;

import java.net.ServerSocket;
import java.nio.file.Path;

import org.apache.camel.health.HealthCheck;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness follows the ledger's database, with the driver's reason and never the password. */
class DatabaseHealthCheckTest {

    @TempDir
    Path directory;

    @Test
    void upWhileTheDatabaseAnswers() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:file:" + directory.resolve("ledger").toAbsolutePath());

        HealthCheck.Result result = new DatabaseHealthCheck(h2).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(result.getCheck().isReadiness()).isTrue();
        assertThat(result.getCheck().isLiveness()).isFalse();
    }

    @Test
    void downWithTheReasonWhileTheDatabaseCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PGSimpleDataSource postgres = new PGSimpleDataSource();
        postgres.setServerNames(new String[] {"localhost"});
        postgres.setPortNumbers(new int[] {closedPort});
        postgres.setDatabaseName("contactsync");
        postgres.setUser("contactsync");
        postgres.setPassword("database-password-never-shown");
        postgres.setConnectTimeout(2);

        HealthCheck.Result result = new DatabaseHealthCheck(postgres).call();

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValueSatisfying(message -> assertThat(message)
                .startsWith("the sync database cannot be reached").contains(String.valueOf(closedPort))
                .doesNotContain("database-password-never-shown"));
    }
}
