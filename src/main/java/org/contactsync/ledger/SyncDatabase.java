package org.contactsync.ledger;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The database every durable piece of the bundle shares: the embedded H2 file database by default, PostgreSQL when
 * {@code sync.datasource.url} says so, both behind one connection pool. It is the DataSource itself, so one bean serves
 * the ledger, the dead letters and Camel's JDBC repositories, and closes with the Camel context.
 *
 * <p>Everything the bundle acknowledges (a 202, a webhook's 2xx, a file moved out of the inbox) is acknowledged after
 * its commit, so a commit must be on disk when it returns. H2 by default writes a commit up to 500 ms later
 * ({@code WRITE_DELAY}): a kill -9 in that window loses what was acknowledged. The bundle therefore opens H2 with
 * {@code WRITE_DELAY=0}, refuses a URL that sets another delay or an in-memory database, and on PostgreSQL refuses a
 * server or session that acknowledges commits before they are flushed ({@code synchronous_commit=off}, {@code fsync=off}).
 *
 * <p>The schema is versioned by Flyway ({@code db/migration}), applied by {@link #migrate()} at start; Flyway's own lock
 * keeps nodes starting together on one PostgreSQL from migrating twice.
 */
public class SyncDatabase implements DataSource {

    private static final Pattern WRITE_DELAY = Pattern.compile(";\\s*WRITE_DELAY\\s*=\\s*([^;]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(password|pwd)=[^&;]*", Pattern.CASE_INSENSITIVE);
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]*):[^/@]*@");
    private static final Pattern DB_CLOSE_ON_EXIT = Pattern.compile(";\\s*DB_CLOSE_ON_EXIT\\s*=", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUERY_CACHE_SIZE = Pattern.compile(";\\s*QUERY_CACHE_SIZE\\s*=", Pattern.CASE_INSENSITIVE);

    private final String kind;
    private final HikariDataSource pool;
    private final DataSourceTransactionManager transactionManager;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final GroupCommit groupCommit;

    public SyncDatabase(String url, String username, String password, int poolSize, long connectionTimeoutMs) {
        // the URL is shown only masked: a PostgreSQL URL may carry a password
        if (url.startsWith("jdbc:h2:")) {
            kind = "h2";
        } else if (url.startsWith("jdbc:postgresql:")) {
            kind = "postgresql";
        } else {
            throw new IllegalArgumentException("sync.datasource.url must be a jdbc:h2: or jdbc:postgresql: URL");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("contact-sync");
        config.setJdbcUrl(kind.equals("h2") ? withQueryCache(durableH2(url)) : url);
        // named, not looked up through DriverManager, which cannot see a driver loaded by another class loader than
        // the caller's (Camel JBang's dependency loader, a host runtime's module loaders)
        config.setDriverClassName(kind.equals("h2") ? "org.h2.Driver" : "org.postgresql.Driver");
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectionTimeoutMs);
        // No connection made while the pool is built: HikariCP's own first attempt would wait for the driver's login
        // timeout and then retry for initializationFailTimeout more, twice connectionTimeout in all, without a word.
        // The first borrow below waits connectionTimeout at most, whatever the driver does.
        config.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(config);
        try (Connection first = pool.getConnection()) {
            // reached: the start goes on
        } catch (SQLException e) {
            // the pool's attempt may still be held in the driver (a host that takes the connection and never answers):
            // closing waits for it, which the failed start need not
            Thread closing = new Thread(pool::close, "contact-sync-pool-close");
            closing.setDaemon(true);
            closing.start();
            Throwable reason = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("sync.datasource.url=" + masked(url) + ": cannot connect within " + connectionTimeoutMs
                    + " ms (sync.datasource.connection-timeout-ms): " + reason.getMessage(), e);
        }
        transactionManager = new DataSourceTransactionManager(this);
        jdbc = new JdbcTemplate(this);
        transactions = new TransactionTemplate(transactionManager);
        groupCommit = new GroupCommit(transactions);
    }

    /** The URL as it may be shown: a password in it (?password=, ;PASSWORD=, user:password@) as ***. */
    public static String masked(String url) {
        return PASSWORD_IN_URL.matcher(USER_INFO.matcher(url).replaceAll("$1:***@")).replaceAll("$1=***");
    }

    /**
     * The H2 URL with commits written at once. An in-memory database, or a URL asking for a write delay, would lose
     * accepted donors in a crash: refused, naming the setting.
     */
    static String durableH2(String url) {
        if (url.regionMatches(true, 0, "jdbc:h2:mem:", 0, "jdbc:h2:mem:".length())) {
            throw new IllegalArgumentException("sync.datasource.url: an in-memory H2 database (jdbc:h2:mem:) loses every donor when the "
                    + "bundle stops; use jdbc:h2:file:<path> or PostgreSQL");
        }
        String durable = url;
        Matcher delay = WRITE_DELAY.matcher(url);
        if (delay.find()) {
            if (!delay.group(1).strip().equals("0")) {
                throw new IllegalArgumentException("sync.datasource.url sets WRITE_DELAY=" + delay.group(1).strip() + ": H2 would acknowledge "
                        + "commits before writing them and a crash would lose accepted donors; leave WRITE_DELAY out (the bundle sets 0)");
            }
        } else {
            durable += ";WRITE_DELAY=0";
        }
        // H2 would otherwise close the database from its own shutdown hook on SIGTERM, under the donors a graceful stop
        // is finishing: the bundle closes it itself, last
        return DB_CLOSE_ON_EXIT.matcher(url).find() ? durable : durable + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * H2 keeps 8 parsed statements per connection by default, and the live path alone runs a few dozen distinct ones, so
     * it parsed most of them again at every use: an eighth of a live donor's CPU time. A URL that sets its own size keeps it.
     */
    private static String withQueryCache(String url) {
        return QUERY_CACHE_SIZE.matcher(url).find() ? url : url + ";QUERY_CACHE_SIZE=128";
    }

    /**
     * Brings the schema to the newest migration, after checking the database writes commits before it acknowledges
     * them. A database made before the schema was versioned (release 0.1 applied its schema on every start) is taken
     * as version 0: migration 1, that release's own idempotent schema, completes it, and the later ones follow.
     */
    public void migrate() throws SQLException {
        requireDurableCommits();
        Flyway.configure(SyncDatabase.class.getClassLoader())
                .dataSource(this)
                .locations("classpath:db/migration")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }

    private void requireDurableCommits() throws SQLException {
        try (Connection c = getConnection(); var statement = c.createStatement()) {
            if (kind.equals("h2")) {
                try (var row = statement.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
                    if (row.next() && !row.getString(1).strip().equals("0")) {
                        throw new IllegalStateException("the H2 database runs with WRITE_DELAY=" + row.getString(1)
                                + ": commits would be acknowledged before they are written; open it with WRITE_DELAY=0");
                    }
                }
                return;
            }
            for (String setting : new String[] {"synchronous_commit", "fsync"}) {
                try (var row = statement.executeQuery("SHOW " + setting)) {
                    row.next();
                    if (row.getString(1).toLowerCase(Locale.ROOT).equals("off")) {
                        throw new IllegalStateException("PostgreSQL runs with " + setting + "=off: it acknowledges commits before they are "
                                + "on disk, and a crash would lose accepted donors; set " + setting + " = on (postgresql.conf, or the "
                                + "URL's options)");
                    }
                }
            }
        }
    }

    /** The one way the bundle runs SQL: on this database, inside the current transaction when there is one. */
    public JdbcTemplate jdbc() {
        return jdbc;
    }

    /** A state change and everything that belongs to it commit in one of these (nested calls join the outer one). */
    public TransactionTemplate transactions() {
        return transactions;
    }

    /**
     * The short, frequent writes behind an acknowledgement (an admission, the aggregator's write of a webhook's
     * confirmation, a held webhook event) go through this: concurrent ones share one commit, each acknowledged once it is
     * on disk.
     */
    public GroupCommit groupCommit() {
        return groupCommit;
    }

    /** Shared with camel-sql's aggregation repository, so its writes join a transaction the ledger opened. */
    public PlatformTransactionManager transactionManager() {
        return transactionManager;
    }

    /** Whether a write failed on a unique key another writer got to first (SQLSTATE 23505 on H2 and PostgreSQL alike). */
    public static boolean isDuplicateKey(RuntimeException e) {
        return e instanceof DuplicateKeyException;
    }

    public boolean isPostgres() {
        return kind.equals("postgresql");
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
        return "SyncDatabase[" + kind + "]";
    }
}
