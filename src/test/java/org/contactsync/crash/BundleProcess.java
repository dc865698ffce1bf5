package org.contactsync.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;
import org.contactsync.ContactSyncApplication;
import org.contactsync.testing.SyncBundle;

import static org.awaitility.Awaitility.await;

/**
 * The bundle as an operator runs it: its own JVM (ContactSyncApplication), settings as -D properties, secrets in its
 * environment. Killed with SIGKILL and started again on the same directory, database and ports, as a supervisor
 * restarts a crashed service; each incarnation logs to its own bundle-N.log.
 */
final class BundleProcess implements AutoCloseable {

    static final String API_KEY = "crash-trial-api-key";
    static final String OPERATOR_PASSWORD = "crash-trial-operator";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Camel Main's line once every route has started. */
    private static final Pattern STARTED = Pattern.compile("Apache Camel \\S+ \\(virtuous-contact-sync\\) started in");
    /**
     * A JVM's start is the one CPU-heavy part of a trial; trials running side by side start one bundle per core at a
     * time, rather than all at once and each at a fraction of the speed.
     */
    private static final Semaphore STARTS = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));

    private final Path directory;
    private final int port;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> jvmOptions;
    private volatile Process process;
    private volatile int incarnation;

    BundleProcess(Path directory, String virtuousBaseUrl, Map<String, String> settings, Map<String, String> extraEnvironment,
                  List<String> jvmOptions) throws IOException {
        this.directory = directory;
        this.port = SyncBundle.freePort();
        this.jvmOptions = jvmOptions;
        properties.put("camel.server.port", String.valueOf(port));
        properties.put("camel.management.port", String.valueOf(SyncBundle.freePort()));
        properties.put("virtuous.api.base-url", virtuousBaseUrl);
        properties.put("sync.inbox.dir", inbox().toString());
        // the sandbox's webhooks come back to this bundle, whichever incarnation is running
        properties.put("sync.webhook.public-url", baseUrl());
        properties.putAll(settings);
        environment.put("VIRTUOUS_API_KEY", API_KEY);
        environment.put("SYNC_STATUS_PASSWORD", OPERATOR_PASSWORD);
        environment.putAll(extraEnvironment);
    }

    String baseUrl() {
        return "http://localhost:" + port;
    }

    Path inbox() {
        return directory.resolve("inbox");
    }

    int incarnation() {
        return incarnation;
    }

    Path log() {
        return directory.resolve("bundle-" + incarnation + ".log");
    }

    /**
     * Starts a new incarnation and returns once Camel has started every route (its log says so) and its HTTP server
     * answers: before that, a route not yet started answers 404, which would read as a donor the ledger lacks.
     */
    synchronized void start() throws IOException, InterruptedException {
        STARTS.acquire();
        try {
            startAlone();
        } finally {
            STARTS.release();
        }
    }

    private void startAlone() throws IOException {
        incarnation++;
        List<String> options = new ArrayList<>(jvmOptions);
        properties.forEach((name, value) -> options.add("-D" + name + "=" + value));
        Process started = TrialProcesses.start(TrialProcesses.java(ContactSyncApplication.class.getName(), options, List.of()),
                directory, log(), environment);
        process = started;
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!started.isAlive()) {
                    throw new IllegalStateException("the bundle exited with status " + started.exitValue());
                }
                return started() && answers();
            });
        } catch (ConditionTimeoutException | IllegalStateException e) {
            TrialProcesses.kill(started);
            throw new IllegalStateException("bundle incarnation " + incarnation + " did not come up; its log ends:\n"
                    + TrialProcesses.tail(log(), 6000), e);
        }
    }

    private boolean started() throws IOException {
        return Files.exists(log()) && STARTED.matcher(Files.readString(log())).find();
    }

    /** SIGKILL, no warning: whatever it had not made durable is gone. */
    synchronized void kill() {
        Process running = process;
        if (running != null) {
            TrialProcesses.kill(running);
        }
    }

    /**
     * Whether its HTTP server answers at all: GET /donors is 405 (404 while the routes start), and touches neither
     * Virtuous nor the database.
     */
    boolean answers() {
        try {
            TrialHttp.send(TrialHttp.request(baseUrl() + "/donors").GET(), Duration.ofSeconds(2));
            return true;
        } catch (IOException down) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    TrialHttp.Response postDonor(Object donor) throws IOException, InterruptedException {
        return TrialHttp.send(TrialHttp.postJson(baseUrl() + "/donors", donor), Duration.ofSeconds(20));
    }

    /** An operator API call (/sync/...), with the operator's credentials. */
    TrialHttp.Response operator(String path) throws IOException, InterruptedException {
        return TrialHttp.send(TrialHttp.request(baseUrl() + path)
                .header("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, OPERATOR_PASSWORD)).GET(), Duration.ofSeconds(30));
    }

    /** GET /sync/status: donors by state. */
    Map<String, Object> status() throws IOException, InterruptedException {
        TrialHttp.Response response = operator("/sync/status");
        if (response.status() != 200) {
            throw new IOException("GET /sync/status answered " + response.status());
        }
        return response.object();
    }

    long count(String state) throws IOException, InterruptedException {
        return ((Number) status().getOrDefault(state, 0)).longValue();
    }

    @Override
    public void close() {
        kill();
    }
}
