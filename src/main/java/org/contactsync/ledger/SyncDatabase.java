package org.contactsync.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database every durable piece of the bundle shares: the embedded H2 file database by default,
 * PostgreSQL when {@code sync.datasource.url} says so. The schema is applied on start.
 */
public class SyncDatabase {

    private final String url;
    private final DataSource dataSource;

    public SyncDatabase(String url, String username, String password) {
        this.url = url;
        if (url.startsWith("jdbc:h2:")) {
            dataSource = JdbcConnectionPool.create(url, username, password);
        } else if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource postgres = new PGSimpleDataSource();
            postgres.setURL(url);
            postgres.setUser(username);
            postgres.setPassword(password);
            dataSource = postgres;
        } else {
            throw new IllegalArgumentException("sync.datasource.url must be a jdbc:h2: or jdbc:postgresql: URL, was " + url);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public void createSchema() throws SQLException, IOException {
        String script;
        try (InputStream in = SyncDatabase.class.getResourceAsStream("/db/schema.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
        }
    }

    public void close() {
        if (dataSource instanceof JdbcConnectionPool pool) {
            pool.dispose();
        }
    }

    @Override
    public String toString() {
        // the URL may carry a password for PostgreSQL; show only the database kind
        return "SyncDatabase[" + url.substring(0, url.indexOf(':', 5)) + "]";
    }
}
