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

import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The database every durable piece of the bundle shares: the embedded H2 file database by default,
 * PostgreSQL when {@code sync.datasource.url} says so. The schema is applied on start. It is the DataSource itself, so one
 * bean serves the ledger, the dead letters and Camel's JDBC repositories, and closes with the Camel context.
 */
public class SyncDatabase implements DataSource {

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
    public Connection getConnection() throws SQLException {
        return dataSource.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return dataSource.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return dataSource.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        dataSource.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        dataSource.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return dataSource.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return dataSource.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : dataSource.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || dataSource.isWrapperFor(type);
    }

    @Override
    public String toString() {
        // the URL may carry a password for PostgreSQL; show only the database kind
        return "SyncDatabase[" + url.substring(0, url.indexOf(':', 5)) + "]";
    }
}
