package org.contactsync.crash;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;
import org.contactsync.sandbox.SandboxMain;

import static org.awaitility.Awaitility.await;

/**
 * The Virtuous sandbox in a process of its own (SandboxMain), which outlives every bundle a trial kills, and its
 * /sandbox admin API: what Virtuous took, created and delivered, whoever asked.
 */
final class SandboxProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Virtuous sandbox listening on (http://\\S+)");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final String baseUrl;

    private SandboxProcess(Process process, Path log, String baseUrl) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /** Starts SandboxMain on a free port with these arguments, and returns once it listens. */
    static SandboxProcess start(Path directory, List<String> arguments) throws IOException {
        Path log = directory.resolve("sandbox.log");
        List<String> withPort = new java.util.ArrayList<>(List.of("--port", "0"));
        withPort.addAll(arguments);
        Process process = TrialProcesses.start(TrialProcesses.java(SandboxMain.class.getName(),
                List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), withPort), directory, log, Map.of());
        try {
            String url = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> listening(log, process), found -> found != null);
            return new SandboxProcess(process, log, url);
        } catch (ConditionTimeoutException | IllegalStateException e) {
            TrialProcesses.kill(process);
            throw new IllegalStateException("the sandbox did not start; its log:\n" + TrialProcesses.tail(log, 4000), e);
        }
    }

    String baseUrl() {
        return baseUrl;
    }

    Path log() {
        return log;
    }

    /** Per "source:id", every Contact Transaction or Batch item the API took carrying that pair. */
    Map<String, Object> submissions() throws IOException, InterruptedException {
        return get("/sandbox/submissions").object();
    }

    List<Map<String, Object>> deliveries() throws IOException, InterruptedException {
        return get("/sandbox/deliveries").array();
    }

    List<Map<String, Object>> contacts() throws IOException, InterruptedException {
        return get("/sandbox/contacts").array();
    }

    List<Map<String, Object>> heldTransactions() throws IOException, InterruptedException {
        return get("/sandbox/transactions").array();
    }

    List<Map<String, Object>> webhooks() throws IOException, InterruptedException {
        return get("/sandbox/webhooks").array();
    }

    Map<String, Object> faults() throws IOException, InterruptedException {
        return get("/sandbox/faults").object();
    }

    /** The organisation's other integrations spend all but {@code requests} of the window's budget. */
    void leaveRateBudget(int requests) throws IOException, InterruptedException {
        post("/sandbox/rate-budget/leave/" + requests);
    }

    /** The whole budget of the window back. */
    void resetRateBudget() throws IOException, InterruptedException {
        post("/sandbox/rate-budget/reset");
    }

    /** The next request with this method and path prefix is handled, and its answer withheld for {@code hold}. */
    void timeOutNext(String method, String pathPrefix, Duration hold) throws IOException, InterruptedException {
        post("/sandbox/faults/time-out-next?method=" + method + "&path=" + pathPrefix + "&holdMs=" + hold.toMillis());
    }

    /** The nightly import, now; returns once its webhooks were delivered. */
    List<Map<String, Object>> runBatch() throws IOException, InterruptedException {
        return TrialHttp.send(TrialHttp.request(baseUrl + "/sandbox/batch").POST(HttpRequest.BodyPublishers.noBody()),
                Duration.ofMinutes(5)).array();
    }

    private void post(String path) throws IOException, InterruptedException {
        TrialHttp.Response response = TrialHttp.send(TrialHttp.request(baseUrl + path).POST(HttpRequest.BodyPublishers.noBody()), TIMEOUT);
        if (response.status() != 204) {
            throw new IOException("POST " + path + " answered " + response.status() + ": " + response.body());
        }
    }

    private TrialHttp.Response get(String path) throws IOException, InterruptedException {
        TrialHttp.Response response = TrialHttp.send(TrialHttp.request(baseUrl + path).GET(), TIMEOUT);
        if (response.status() != 200) {
            throw new IOException("GET " + path + " answered " + response.status() + ": " + response.body());
        }
        return response;
    }

    private static String listening(Path log, Process process) throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("SandboxMain exited with status " + process.exitValue());
        }
        Matcher line = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
        return line.find() ? line.group(1) : null;
    }

    @Override
    public void close() {
        TrialProcesses.stop(process);
    }
}
