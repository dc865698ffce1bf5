package org.contactsync.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The database every durable piece of the bundle shares: the embedded H2 file database by default,
 * PostgreSQL when {@code sync.datasource.url} says so, both behind one connection pool. The schema is applied on start.
 * It is the DataSource itself, so one bean serves the ledger, the dead letters and Camel's JDBC repositories, and
 * closes with the Camel context.
 */
public class SyncDatabase implements DataSource {

    private final String url;
    private final HikariDataSource pool;

    public SyncDatabase(String url, String username, String password, int poolSize, long connectionTimeoutMs) {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            // the URL is not shown: a PostgreSQL URL may carry a password
            throw new IllegalArgumentException("sync.datasource.url must be a jdbc:h2: or jdbc:postgresql: URL");
        }
        this.url = url;
        HikariConfig config = new HikariConfig();
        config.setPoolName("contact-sync");
        config.setJdbcUrl(url);
        // named, not looked up through DriverManager, which cannot see a driver loaded by another class loader than
        // the caller's (Camel JBang's dependency loader, a host runtime's module loaders)
        config.setDriverClassName(url.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectionTimeoutMs);
        // a database that is down at start fails the start, with the driver's reason
        config.setInitializationFailTimeout(connectionTimeoutMs);
        pool = new HikariDataSource(config);
    }

    /** Applies db/schema.sql; on PostgreSQL it serialises on an advisory lock, so nodes starting together do not race. */
    /** Whether a statement failed on a unique key another writer got to first (SQLSTATE 23505 on H2 and PostgreSQL alike). */
    public static boolean isDuplicateKey(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    public void createSchema() throws SQLException, IOException {
        String script;
        try (InputStream in = SyncDatabase.class.getResourceAsStream("/db/schema.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean postgres = url.startsWith("jdbc:postgresql:");
        try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            if (postgres) {
                // CREATE TABLE IF NOT EXISTS is not safe against a concurrent identical CREATE (a duplicate-key error)
                statement.execute("SELECT pg_advisory_xact_lock(7245163)");
            }
            for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                if (!sql.isBlank()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
    }

    public void close() {
        pool.close();
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || pool.isWrapperFor(type);
    }

    @Override
    public String toString() {
        // the URL may carry a password for PostgreSQL; show only the database kind
        return "SyncDatabase[" + url.substring(0, url.indexOf(':', 5)) + "]";
    }
}
