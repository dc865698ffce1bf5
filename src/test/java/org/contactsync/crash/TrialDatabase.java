package org.contactsync.crash;

import java.nio.file.Path;
import java.util.Map;

import org.contactsync.testing.PostgresServer;

/** The ledger's database for one trial: an H2 file in the trial's directory, or a PostgreSQL server of its own. */
public enum TrialDatabase {

    H2, POSTGRESQL;

    /** A started database; closing it stops the server, if any. */
    interface Instance extends AutoCloseable {

        /** The bundle's sync.datasource.* properties and, for the password, its environment. */
        Map<String, String> properties();

        Map<String, String> environment();

        @Override
        void close() throws Exception;
    }

    Instance start(Path directory) throws Exception {
        if (this == H2) {
            String url = "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath();
            return new Instance() {
                public Map<String, String> properties() {
                    return Map.of("sync.datasource.url", url);
                }

                public Map<String, String> environment() {
                    return Map.of();
                }

                public void close() {
                }
            };
        }
        PostgresServer server = PostgresServer.start();
        return new Instance() {
            public Map<String, String> properties() {
                return Map.of("sync.datasource.url", server.url(), "sync.datasource.username", server.username());
            }

            public Map<String, String> environment() {
                return Map.of("SYNC_DATASOURCE_PASSWORD", server.password());
            }

            public void close() throws Exception {
                server.close();
            }
        };
    }

    public String label() {
        return this == H2 ? "H2" : "PostgreSQL";
    }
}
