package org.contactsync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.contactsync.ContactSyncApplication;

/**
 * The bundle as an operator runs it: its own JVM (the launcher, the test's classpath), settings as -D properties,
 * secrets in its environment, output to a log file. Stopped with SIGTERM as an orchestrator stops it, or killed with
 * SIGKILL; started again over the same directory and ports it is a real restart. Its H2 database is in
 * {@code directory/db}, its inbox {@code directory/inbox}.
 */
public final class BundleProcess implements AutoCloseable {

    public static final String OPERATOR_PASSWORD = "operator-process-password";

    private final Path directory;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final int port;
    private final int managementPort;
    private int starts;
    private Process process;
    private Path log;

    /** A bundle over {@code directory}, calling Virtuous at {@code virtuousBaseUrl} with {@code apiKey} (from its environment). */
    public BundleProcess(Path directory, String virtuousBaseUrl, String apiKey, Map<String, String> overrides) throws IOException {
        this.directory = directory;
        this.port = SyncBundle.freePort();
        this.managementPort = SyncBundle.freePort();
        properties.put("camel.server.port", String.valueOf(port));
        properties.put("camel.management.port", String.valueOf(managementPort));
        properties.put("virtuous.api.base-url", virtuousBaseUrl);
        properties.put("sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath());
        properties.put("sync.inbox.dir", directory.resolve("inbox").toString());
        properties.put("sync.retry.initial-delay-ms", "10");
        properties.putAll(overrides);
        environment.put("VIRTUOUS_API_KEY", apiKey);
        environment.put("SYNC_STATUS_PASSWORD", OPERATOR_PASSWORD);
    }

    /** The environment of the next start (a rotated key, a secret). */
    public BundleProcess withEnvironment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Leaves a variable out of the next start's environment (a secret given as a file instead). */
    public BundleProcess withoutEnvironment(String name) {
        environment.remove(name);
        return this;
    }

    /** The HTTP port from CAMEL_SERVER_PORT, as the Docker image is given it, instead of -Dcamel.server.port. */
    public BundleProcess withPortFromEnvironment() {
        environment.put("CAMEL_SERVER_PORT", properties.remove("camel.server.port"));
        return this;
    }

    /** Starts the JVM and waits until it answers HTTP; each start logs to a file of its own. */
    public BundleProcess start() throws Exception {
        List<String> command = TestJvm.command();
        properties.forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.add(ContactSyncApplication.class.getName());
        log = directory.resolve("run-" + ++starts + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).directory(directory.toFile());
        builder.environment().putAll(environment);
        process = builder.start();
        http().awaitUp(Duration.ofSeconds(60), this::logTail);
        return this;
    }

    /** SIGTERM, as Docker and Kubernetes stop a container; returns how long the JVM took to exit. */
    public Duration stop() throws InterruptedException {
        long started = System.nanoTime();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("the bundle did not stop within 60 s of SIGTERM:\n" + logTail());
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** SIGKILL: nothing runs on the way out. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public BundleHttp http() {
        return new BundleHttp("http://localhost:" + port, OPERATOR_PASSWORD);
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /** The bundle's H2 database, for reading once the process has let go of it. */
    public Connection database() throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(), "sa", "");
    }

    /** The end of the current run's log, for a failure's message. */
    public String logTail() {
        try {
            String output = Files.readString(log);
            return output.substring(Math.max(0, output.length() - 6000));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
