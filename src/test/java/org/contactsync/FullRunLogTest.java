package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;
import org.contactsync.sandbox.DemoApplication;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The logs of a whole run of the launcher, in its own JVM as an operator starts it, with the API key, the webhook secret,
 * the status page's password and an alert endpoint's token in its environment: the sample donors, a refused key that is
 * then fixed, a 503, a forged webhook, overdue notifications the endpoint refuses, the nightly import and its webhooks. No secret appears anywhere in the output, and every state change in the
 * ledger's history has exactly one log line naming the donor's reference pair and the new state, in the same order.
 */
class FullRunLogTest {

    private static final String API_KEY = "vk-live-4f1c9e2a7b3d5e6f8a9b0c1d";
    private static final String WEBHOOK_SECRET = "whsec-9d8c7b6a5f4e3d2c1b0a";
    private static final String STATUS_PASSWORD = "status-pw-3e5a7c9b1d";
    private static final String ALERT_TOKEN = "alert-tok-6b2d8f0a4c";
    private static final Pattern STATE_CHANGE = Pattern.compile(" - (\\S+:\\S+) -> (RECEIVED|PENDING|SYNCED|FAILED): ");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private int port;
    private Path log;
    private Process run;

    @AfterEach
    void stop() {
        if (run != null) {
            run.destroyForcibly();
        }
        sandbox.stop();
    }

    @Test
    void aFullRunLogsEveryStateChangeOnceAndNeverASecret() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        // Virtuous refuses the bundle's key at first, as after a rotation nobody told the bundle about
        sandbox.setApiKey("a-key-the-bundle-does-not-have");
        sandbox.start();
        port = SyncBundle.freePort();
        log = directory.resolve("run.log");
        run = launch();
        DemoApplication.dropSamples(directory.resolve("inbox"));

        awaitRun("the key refused", () -> accessState().equals("KEY_REFUSED"));
        sandbox.setApiKey(API_KEY);
        awaitRun("the samples submitted and the webhook subscribed", () -> !sandbox.webhooks().isEmpty()
                && count("RECEIVED") == 0 && count("PENDING") > 0);

        // a Virtuous outage on a live donor's Find: retried, then submitted (aimed at the Find, since the start's drift
        // check, in a lane after the samples', may still be reading the organisation's lists and would take any 503)
        sandbox.answerNext("GET", "/api/Contact/Find", 503, "");
        post("/donors", "{\"referenceId\":\"donor-3001\",\"firstName\":\"Mary\",\"lastName\":\"Somerville\"}", "Accept", "application/json");
        post("/webhooks/virtuous", "{\"event\":\"contactCreate\"}", "X-Virtuous-Signature", "forged");
        awaitRun("the live donor submitted", () -> count("RECEIVED") == 0 && sandbox.requestCount("POST", "/api/Contact/Transaction") == 6);
        // PENDING past sync.pending.warn-after (1s) before the import: notified, to an endpoint that answers 404
        awaitRun("an overdue notification tried", () -> Files.readString(log).contains("overdue notification through http:*** failed"));
        sandbox.runBatch();
        awaitRun("every donor resolved by webhooks", () -> count("PENDING") == 0 && count("SYNCED") == 6);

        run.destroy();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).as("the run stops on SIGTERM").isTrue();
        String output = Files.readString(log);

        assertThat(output).contains("accepts the API key again", "failed (HTTP 503)", "-> SYNCED").doesNotContain(API_KEY).doesNotContain(WEBHOOK_SECRET).doesNotContain(STATUS_PASSWORD);
        // the overdue notifications went to an endpoint that answers 404: each failure logged by scheme alone
        assertThat(output).contains("overdue notification through http:*** failed").doesNotContain(ALERT_TOKEN);
        Map<String, List<String>> history = history();
        assertThat(history).as("the samples reached the ledger").hasSizeGreaterThanOrEqualTo(5);
        assertThat(loggedChanges(output)).isEqualTo(history);
    }

    private Process launch() throws Exception {
        List<String> command = TestJvm.command(
                "-Dcamel.server.port=" + port,
                "-Dcamel.management.port=" + SyncBundle.freePort(),
                "-Dvirtuous.api.base-url=" + sandbox.getBaseUrl(),
                "-Dvirtuous.auth.probe-interval-ms=300",
                "-Dsync.retry.initial-delay-ms=10",
                "-Dsync.datasource.url=jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(),
                "-Dsync.inbox.dir=" + directory.resolve("inbox"),
                "-Dsync.webhook.public-url=http://localhost:" + port,
                "-Dsync.pending.warn-after=1s",
                "-Dsync.alert.check-period-ms=200",
                ContactSyncApplication.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(directory.toFile());
        builder.environment().put("VIRTUOUS_API_KEY", API_KEY);
        builder.environment().put("SYNC_WEBHOOK_SECRET", WEBHOOK_SECRET);
        builder.environment().put("SYNC_STATUS_PASSWORD", STATUS_PASSWORD);
        builder.environment().put("SYNC_ALERT_ENDPOINT", sandbox.getBaseUrl() + "/alerts?token=RAW(" + ALERT_TOKEN + ")");
        return builder.start();
    }

    /** Waits for the run to reach a point; a run that does not get there fails with the end of its log. */
    private void awaitRun(String point, Callable<Boolean> reached) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(reached);
        } catch (ConditionTimeoutException e) {
            String output = Files.readString(log);
            throw new AssertionError("the run did not get to " + point + "; its log ends:\n"
                    + output.substring(Math.max(0, output.length() - 6000)), e);
        }
    }

    @SuppressWarnings("unchecked")
    private String accessState() throws Exception {
        Map<String, Object> checks = (Map<String, Object>) get("/sync/health").get("checks");
        return String.valueOf(((Map<String, Object>) ((Map<String, Object>) checks.get("virtuous-access")).get("details")).get("state"));
    }

    private int count(String state) throws Exception {
        return ((Number) get("/sync/status").get(state)).intValue();
    }

    private Map<String, Object> get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", SyncBundle.basic("operator", STATUS_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readValue(response.body(), new TypeReference<>() { });
    }

    private void post(String path, String body, String header, String value) throws Exception {
        HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).header("Content-Type", "application/json")
                .header(header, value).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    /** Per donor, the states its history rows record, in order (read once the run has stopped and let go of the file). */
    private Map<String, List<String>> history() throws Exception {
        Map<String, List<String>> history = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(), "sa", "");
             Statement query = c.createStatement();
             ResultSet row = query.executeQuery("SELECT reference_source, reference_id, state FROM sync_history ORDER BY id")) {
            while (row.next()) {
                history.computeIfAbsent(row.getString(1) + ":" + row.getString(2), pair -> new ArrayList<>()).add(row.getString(3));
            }
        }
        return history;
    }

    private static Map<String, List<String>> loggedChanges(String output) {
        Map<String, List<String>> changes = new LinkedHashMap<>();
        Matcher line = STATE_CHANGE.matcher(output);
        while (line.find()) {
            changes.computeIfAbsent(line.group(1), pair -> new ArrayList<>()).add(line.group(2));
        }
        return changes;
    }
}
