package org.contactsync;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import org.contactsync.deadletter.DeadLetter;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.RecordedRequest;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each class of Virtuous answer ends where the error policy says, against the sandbox over real HTTP. */
class ErrorPolicyTest {

    private static final String SOURCE = "PartnerPlatform";

    @TempDir
    Path directory;

    private final TestClock clock = new TestClock();
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private SyncBundle bundle;

    @AfterEach
    void stop() {
        if (bundle != null) {
            bundle.close();
        }
        sandbox.stop();
    }

    @Test
    void serverErrorsAreRetriedAndTheDonorStillSyncs() throws Exception {
        start(Map.of());
        sandbox.failNext(2, 503);

        bundle.post("/donors", donor("retry-1"));

        bundle.awaitState(SOURCE, "retry-1", SyncState.PENDING);
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(503, 503, 404, 200);
        assertThat(bundle.deadLetters()).isEmpty();
    }

    @Test
    void serverErrorsPastTheRetryBoundEndInTheDeadLetterWithStatusAndMessage() throws Exception {
        start(Map.of("sync.retry.max-redeliveries", "2"));
        sandbox.failNext(100, 500);

        bundle.post("/donors", donor("down-1"));

        bundle.awaitState(SOURCE, "down-1", SyncState.FAILED);
        assertThat(sandbox.requests()).hasSize(3).allMatch(request -> request.status() == 500);
        DeadLetter letter = letterFor("down-1");
        assertThat(letter.httpStatus()).isEqualTo(500);
        assertThat(letter.virtuousMessage()).isEqualTo("An error has occurred.");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.stage()).isEqualTo("contact-lookup");
    }

    @Test
    void resetConnectionsAndTimeoutsAreRetried() throws Exception {
        start(Map.of("camel.component.http.response-timeout", "500", "camel.component.http.so-timeout", "500"));
        sandbox.resetNextConnections(1);
        sandbox.timeOutNext(1, Duration.ofSeconds(3));

        bundle.post("/donors", donor("flaky-1"));

        bundle.awaitState(SOURCE, "flaky-1", SyncState.PENDING);
        assertThat(sandbox.requests()).extracting(RecordedRequest::status).containsExactly(0, 0, 404, 200);
        assertThat(bundle.deadLetters()).isEmpty();
    }

    @Test
    void invalidDonorsEndInTheDeadLetterWithVirtuousMessageAndDetailsWithoutRetries() throws Exception {
        start(Map.of());
        bundle.post("/donors", """
                {"referenceId": "invalid-1", "name": "Spaceship Owners", "contactType": "Spaceship"}""");
        bundle.awaitState(SOURCE, "invalid-1", SyncState.FAILED);
        sandbox.setErrorStyle("target");
        bundle.post("/donors", """
                {"referenceId": "invalid-2", "name": "Spaceship Owners", "contactType": "Spaceship"}""");
        bundle.awaitState(SOURCE, "invalid-2", SyncState.FAILED);

        DeadLetter legacy = letterFor("invalid-1");
        assertThat(legacy.httpStatus()).isEqualTo(400);
        assertThat(legacy.virtuousMessage()).startsWith("The request is invalid.; ").contains("contactType", "Spaceship");
        DeadLetter target = letterFor("invalid-2");
        assertThat(target.httpStatus()).isEqualTo(422);
        assertThat(target.virtuousMessage()).startsWith("VALIDATION_FAILED; Validation failed.; contactType: ").contains("Spaceship");
        assertThat(List.of(legacy, target)).allSatisfy(letter -> assertThat(letter.attempts()).isEqualTo(1));
        assertThat(sandbox.requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
    }

    @Test
    void aConflictEndsInTheDeadLetterWithoutRetries() throws Exception {
        HttpServer virtuous = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        virtuous.createContext("/api/", exchange -> {
            boolean find = exchange.getRequestURI().getPath().endsWith("/Find");
            byte[] body = find ? new byte[0] : """
                    {"error":{"code":"CONFLICT","message":"The email belongs to another Contact.",\
                    "details":[{"field":"email","code":"DUPLICATE","message":"on Contact 12"}]}}""".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(find ? 404 : 409, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        virtuous.start();
        try {
            bundle = SyncBundle.start(directory, "http://localhost:" + virtuous.getAddress().getPort(), "test-key", Map.of(), clock);

            bundle.post("/donors", donor("conflict-1"));

            bundle.awaitState(SOURCE, "conflict-1", SyncState.FAILED);
            DeadLetter letter = letterFor("conflict-1");
            assertThat(letter.httpStatus()).isEqualTo(409);
            assertThat(letter.virtuousMessage()).isEqualTo("CONFLICT; The email belongs to another Contact.; email: on Contact 12");
            assertThat(letter.attempts()).isEqualTo(1);
            assertThat(letter.reason()).doesNotContain("test-key");
        } finally {
            virtuous.stop(0);
        }
    }

    @Test
    void theKeyIsStoredNowhereAfterACallNeitherWithAHeldSubmissionNorInADeadLetter() throws Exception {
        start(Map.of());
        bundle.post("/donors", donor("held-1"));
        bundle.post("/donors", """
                {"referenceId": "invalid-3", "name": "Spaceship Owners", "contactType": "Spaceship"}""");

        bundle.awaitState(SOURCE, "held-1", SyncState.PENDING);
        bundle.awaitState(SOURCE, "invalid-3", SyncState.FAILED);

        // the submission reaches the aggregator's repository just after the donor goes PENDING
        List<byte[]> stored = await().until(this::storedRows, rows -> rows.size() == 2);
        byte[] key = sandbox.getApiKey().getBytes(StandardCharsets.UTF_8);
        assertThat(stored).as("rows holding the API key").noneMatch(row -> indexOf(row, key) >= 0);
    }

    /** The aggregator's held exchanges and the dead letters, as bytes. */
    private List<byte[]> storedRows() throws Exception {
        DataSource database = bundle.context().getRegistry().lookupByNameAndType("syncDataSource", DataSource.class);
        List<byte[]> rows = new ArrayList<>();
        try (Connection c = database.getConnection();
             ResultSet row = c.createStatement().executeQuery("SELECT exchange FROM sync_resolution "
                     + "UNION ALL SELECT CAST(CONCAT(reason, virtuous_message, donor_json) AS VARBINARY) FROM dead_letter")) {
            while (row.next()) {
                rows.add(row.getBytes(1));
            }
        }
        return rows;
    }

    private void start(Map<String, String> overrides) throws Exception {
        sandbox.setPort(0);
        sandbox.setClock(clock);
        sandbox.start();
        bundle = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), overrides, clock);
    }

    private static String donor(String referenceId) {
        return "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\"}";
    }

    private DeadLetter letterFor(String referenceId) throws Exception {
        return bundle.deadLetters().stream().filter(letter -> referenceId.equals(letter.referenceId())).findFirst().orElseThrow();
    }

    private static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i + part.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }
}
