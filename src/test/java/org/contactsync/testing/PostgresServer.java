package org.contactsync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test, initialised the way docker/compose.yaml's database container is: the database,
 * user and initdb arguments of docker/postgres.env, a password of its own. Debian's server binaries
 * (/usr/lib/postgresql/VERSION/bin, which .ci/run installs when absent), in a temporary directory, on a free port; as
 * root it runs as the {@code postgres} OS user, since PostgreSQL refuses to run as root. No server, no test: it fails
 * with what to install rather than skip.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Path SETTINGS = Paths.get("docker", "postgres.env");

    private final Path bin;
    private final Path directory;
    private final List<String> asPostgres;
    private final Map<String, String> settings;
    private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private final int port;

    private PostgresServer() throws Exception {
        bin = binaries();
        settings = readSettings();
        port = SyncBundle.freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        asPostgres = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
        directory = Files.createTempDirectory("contact-sync-pg");
        Path passwordFile = Files.writeString(directory.resolve("password"), password);
        if (root) {
            run("chown", "-R", "postgres:", directory.toString());
        }
        List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D", data().toString(),
                "-U", settings.get("POSTGRES_USER"), "--pwfile=" + passwordFile));
        initdb.addAll(Arrays.asList(settings.getOrDefault("POSTGRES_INITDB_ARGS", "").trim().split("\\s+")));
        initdb.removeIf(String::isEmpty);
        runAsPostgres(initdb);
        Files.delete(passwordFile);
        resume();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", username(), password);
             Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + settings.get("POSTGRES_DB"));
        }
    }

    public static PostgresServer start() throws Exception {
        return new PostgresServer();
    }

    public String url() {
        return "jdbc:postgresql://localhost:" + port + "/" + settings.get("POSTGRES_DB");
    }

    /** The bundle's user, as compose.yaml gives it (SYNC_DATASOURCE_USERNAME). */
    public String username() {
        return settings.get("SYNC_DATASOURCE_USERNAME");
    }

    public String password() {
        return password;
    }

    /** Opens a connection as the bundle's user, for a test's own checks. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), username(), password);
    }

    /** Stops the server, keeping its data: the database is unreachable until {@link #resume()}. */
    public void halt() throws IOException, InterruptedException {
        runAsPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop"));
    }

    /** Starts the server (again) on the same port and data. */
    public void resume() throws IOException, InterruptedException {
        runAsPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", directory.resolve("server.log").toString(),
                "-w", "-t", "60", "-o", "-p " + port + " -k " + directory + " -c listen_addresses=localhost", "start"));
    }

    @Override
    public void close() throws Exception {
        try {
            halt();
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    private Path data() {
        return directory.resolve("data");
    }

    private void runAsPostgres(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(asPostgres);
        full.addAll(command);
        run(full.toArray(String[]::new));
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("contact-sync-pg", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 90 s:\n" + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                Path log = directory == null ? null : directory.resolve("server.log");
                String serverLog = log != null && Files.isReadable(log) ? "\nserver log:\n" + Files.readString(log) : "";
                throw new IllegalStateException(String.join(" ", command).replace(password, "***") + " failed (" + process.exitValue()
                        + "):\n" + Files.readString(output) + serverLog);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Debian's server binaries, the newest version installed. */
    private static Path binaries() throws IOException {
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                        .orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            }
        }
        throw new IllegalStateException("No PostgreSQL server to test against: /usr/lib/postgresql/*/bin/initdb not found. "
                + "Install Debian's postgresql package (apt-get install -y postgresql), as .ci/run does when it is absent.");
    }

    private static Map<String, String> readSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(SETTINGS)) {
            int equals = line.indexOf('=');
            if (!line.isBlank() && !line.startsWith("#") && equals > 0) {
                settings.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
            }
        }
        for (String key : List.of("POSTGRES_DB", "POSTGRES_USER", "SYNC_DATASOURCE_USERNAME")) {
            if (!settings.containsKey(key)) {
                throw new IllegalStateException(SETTINGS + " has no " + key);
            }
        }
        return settings;
    }
}
