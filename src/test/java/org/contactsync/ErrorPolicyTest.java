package org.contactsync;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

import com.sun.net.httpserver.HttpServer;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.RecordedRequest;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each class of Virtuous answer ends where the error policy says, against the sandbox over real HTTP. */
class ErrorPolicyTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(60);
    private static final Duration OPEN_FOR = Duration.ofSeconds(30);
    /** How long nothing more may reach Virtuous for a test to call it quiet. */
    private static final Duration QUIET = Duration.ofMillis(1500);

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture()
            .sandbox((sandbox, clock) -> sandbox.setClock(clock))
            .with(Map.of(
                    "virtuous.auth.probe-interval-ms", String.valueOf(PROBE_INTERVAL.toMillis()),
                    "virtuous.circuit.open-for-ms", String.valueOf(OPEN_FOR.toMillis())))
            .startedByTest();

    @Test
    void aRevokedKeyStopsOutboundWorkKeepsTheDonorsAndResumesOnceTheKeyIsFixed() throws Exception {
        fixture.start(Map.of());
        bundle().post("/donors", donor("key-1"));
        bundle().awaitState(SOURCE, "key-1", SyncState.PENDING);
        // the key is revoked in Virtuous: from the next request, the third of this run, the bundle's key gets 401
        String revokedKey = sandbox().getApiKey();
        sandbox().setApiKey("replacement-key");

        bundle().post("/donors", "[" + donor("key-2") + "," + donor("key-3") + "," + donor("key-4") + "," + donor("key-5") + "]");

        await().atMost(Duration.ofSeconds(20)).until(() -> "KEY_REFUSED".equals(gateState()));
        // the calls sent before the first 401 came back are answered 401 too; then nothing more goes out
        int refused = quietRequestCount();
        assertThat(sandbox().requests().subList(2, refused)).isNotEmpty().allMatch(request -> request.status() == 401);
        for (int i = 2; i <= 5; i++) {
            assertThat(bundle().entry(SOURCE, "key-" + i).state()).isEqualTo(SyncState.RECEIVED);
        }
        assertThat(bundle().deadLetters()).isEmpty();
        HealthCheck.Result readiness = readiness();
        assertThat(readiness.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(readiness.getMessage()).hasValueSatisfying(message -> assertThat(message).contains("401", "VIRTUOUS_API_KEY"));
        SyncBundle.Response health = bundle().get("/sync/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json()).containsEntry("status", "DOWN");
        assertThat(accessDetails(health)).containsEntry("state", "KEY_REFUSED");
        assertThat(health.body()).doesNotContain(revokedKey);

        // one probe per interval, and nothing else
        clock().advance(PROBE_INTERVAL);
        await().atMost(Duration.ofSeconds(5)).until(() -> sandbox().requests().size() > refused);
        assertThat(quietRequestCount()).isEqualTo(refused + 1);
        assertThat(last(sandbox().requests()).status()).isEqualTo(401);

        bundle().context().getPropertiesComponent().addOverrideProperty("virtuous.api.key", "replacement-key");
        clock().advance(PROBE_INTERVAL);

        for (int i = 2; i <= 5; i++) {
            bundle().awaitState(SOURCE, "key-" + i, SyncState.PENDING);
        }
        assertThat(bundle().deadLetters()).isEmpty();
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(5);
        assertThat(readiness().getState()).isEqualTo(HealthCheck.State.UP);
        // the whole readiness also waits for the inbox's first poll, a second after start
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().get("/sync/health").status() == 200);
    }

    @Test
    void aKeyWithoutPermissionWaitsUntilItsPermissionsAreFixedWithoutARestart() throws Exception {
        fixture.start(Map.of());
        // the permission group lacks access until someone fixes it: the next request is refused
        sandbox().failNext(1, 403);

        bundle().post("/donors", donor("forbidden-1"));

        await().atMost(Duration.ofSeconds(20)).until(() -> "KEY_REFUSED".equals(gateState()));
        assertThat(quietRequestCount()).isEqualTo(1);
        assertThat(bundle().entry(SOURCE, "forbidden-1").state()).isEqualTo(SyncState.RECEIVED);
        assertThat(readiness().getMessage()).hasValueSatisfying(message -> assertThat(message).contains("403", "permission group"));

        clock().advance(PROBE_INTERVAL);

        bundle().awaitState(SOURCE, "forbidden-1", SyncState.PENDING);
        assertThat(bundle().deadLetters()).isEmpty();
        assertThat(sandbox().requests()).extracting(RecordedRequest::status).containsExactly(403, 404, 200);
    }

    @Test
    void serverErrorsAreRetriedAndTheDonorStillSyncs() throws Exception {
        fixture.start(Map.of());
        sandbox().failNext(2, 503);

        bundle().post("/donors", donor("retry-1"));

        bundle().awaitState(SOURCE, "retry-1", SyncState.PENDING);
        assertThat(sandbox().requests()).extracting(RecordedRequest::status).containsExactly(503, 503, 404, 200);
        assertThat(bundle().deadLetters()).isEmpty();
        assertThat(gateState()).isEqualTo("USABLE");
    }

    @Test
    void serverErrorsPastTheRetryBoundEndInTheDeadLetterWithStatusAndMessage() throws Exception {
        fixture.start(Map.of("sync.retry.max-redeliveries", "2", "virtuous.circuit.failure-threshold", "100"));
        sandbox().failNext(100, 500);

        bundle().post("/donors", donor("down-1"));

        bundle().awaitState(SOURCE, "down-1", SyncState.FAILED);
        assertThat(sandbox().requests()).hasSize(3).allMatch(request -> request.status() == 500);
        DeadLetter letter = letterFor("down-1");
        assertThat(letter.httpStatus()).isEqualTo(500);
        assertThat(letter.virtuousMessage()).isEqualTo("An error has occurred.");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.stage()).isEqualTo("find-by-reference");
    }

    @Test
    void theCircuitBreakerStopsCallsWhileVirtuousIsDownAndClosesWhenItAnswers() throws Exception {
        fixture.start(Map.of("virtuous.circuit.failure-threshold", "3", "sync.retry.max-redeliveries", "4", "sync.concurrency", "1"));
        // three failures open the circuit, and the first probe fails too
        sandbox().failNext(4, 503);

        bundle().post("/donors", "[" + donor("circuit-1") + "," + donor("circuit-2") + "," + donor("circuit-3") + "]");

        await().atMost(Duration.ofSeconds(20)).until(() -> "CIRCUIT_OPEN".equals(gateState()));
        assertThat(quietRequestCount()).isEqualTo(3);
        assertThat(readiness().getState()).as("Virtuous's outage, not ours: intake goes on").isEqualTo(HealthCheck.State.UP);
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().get("/sync/health").status() == 200);
        assertThat(gateState()).isEqualTo("CIRCUIT_OPEN");

        clock().advance(OPEN_FOR);
        await().atMost(Duration.ofSeconds(5)).until(() -> sandbox().requests().size() > 3);
        assertThat(quietRequestCount()).as("one probe, no more").isEqualTo(4);
        assertThat(gateState()).isEqualTo("CIRCUIT_OPEN");

        clock().advance(OPEN_FOR);

        for (int i = 1; i <= 3; i++) {
            bundle().awaitState(SOURCE, "circuit-" + i, SyncState.PENDING);
        }
        assertThat(gateState()).isEqualTo("USABLE");
        assertThat(bundle().deadLetters()).as("five attempts allowed and four failed: the minute spent waiting cost none").isEmpty();
    }

    @Test
    void resetConnectionsAndTimeoutsAreRetried() throws Exception {
        fixture.start(Map.of("camel.component.http.response-timeout", "500", "camel.component.http.so-timeout", "500"));
        sandbox().resetNextConnections(1);
        sandbox().timeOutNext(1, Duration.ofSeconds(3));

        bundle().post("/donors", donor("flaky-1"));

        bundle().awaitState(SOURCE, "flaky-1", SyncState.PENDING);
        assertThat(sandbox().requests()).extracting(RecordedRequest::status).containsExactly(0, 0, 404, 200);
        assertThat(bundle().deadLetters()).isEmpty();
    }

    /**
     * A Transaction Virtuous took, whose answer never came (withheld past the timeout) or came as a 500 written after
     * the import was queued: sent once, left PENDING for the poll (or its webhook), never sent again.
     */
    @Test
    void aTransactionThatMayHaveReachedVirtuousIsNeverSentAgain() throws Exception {
        fixture.start(Map.of("camel.component.http.response-timeout", "500", "camel.component.http.so-timeout", "500"));
        sandbox().timeOutNext("POST", "/api/Contact/Transaction", Duration.ofSeconds(3));
        bundle().post("/donors", donor("timed-out-1"));
        awaitUnanswered("timed-out-1");
        sandbox().failNextAfterHandling("POST", "/api/Contact/Transaction", 500);
        bundle().post("/donors", donor("five-hundred-1"));
        awaitUnanswered("five-hundred-1");

        assertThat(quietRequestCount()).as("two Finds, two Transactions").isEqualTo(4);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
        assertThat(bundle().deadLetters()).isEmpty();
        assertThat(bundle().ledger().history(bundle().entry(SOURCE, "timed-out-1").getReference())).extracting(step -> step.get("detail"))
                .anySatisfy(detail -> assertThat((String) detail).contains("unanswered", "SocketTimeoutException"));

        sandbox().runBatch();
        clock().advance(Duration.ofHours(7));
        bundle().poll();
        assertThat(bundle().awaitState(SOURCE, "timed-out-1", SyncState.SYNCED).resolvedBy()).isEqualTo("poll");
        assertThat(bundle().awaitState(SOURCE, "five-hundred-1", SyncState.SYNCED).resolvedBy()).isEqualTo("poll");
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
        assertThat(sandbox().contacts()).hasSize(2);
    }

    /**
     * A Transaction whose connection was reset: the bundle cannot tell it never reached Virtuous, so it waits. At the
     * pending deadline Virtuous still has no Contact for it, and only then is it looked up and submitted again.
     */
    @Test
    void anUnansweredSubmitIsSentAgainOnlyWhenVirtuousHasNothingForItAtTheDeadline() throws Exception {
        fixture.start(Map.of());
        sandbox().resetNext("POST", "/api/Contact/Transaction");
        bundle().post("/donors", donor("reset-1"));
        awaitUnanswered("reset-1");

        clock().advance(Duration.ofHours(7));
        bundle().poll();
        assertThat(bundle().entry(SOURCE, "reset-1").state()).as("Virtuous may still import it").isEqualTo(SyncState.PENDING);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);

        clock().advance(Duration.ofDays(2));
        bundle().poll();

        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().entry(SOURCE, "reset-1").isSubmitAccepted());
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
        assertThat(sandbox().heldTransactions()).as("the reset one never reached Virtuous").hasSize(1);
        assertThat(bundle().ledger().history(bundle().entry(SOURCE, "reset-1").getReference())).extracting(step -> step.get("state"))
                .containsExactly("RECEIVED", "PENDING", "PENDING", "RECEIVED", "PENDING");
        assertThat(bundle().deadLetters()).isEmpty();
    }

    @Test
    void invalidDonorsEndInTheDeadLetterWithVirtuousMessageAndDetailsWithoutRetries() throws Exception {
        fixture.start(Map.of());
        bundle().post("/donors", """
                {"referenceId": "invalid-1", "name": "Spaceship Owners", "contactType": "Spaceship"}""");
        bundle().awaitState(SOURCE, "invalid-1", SyncState.FAILED);
        sandbox().setErrorStyle("target");
        bundle().post("/donors", """
                {"referenceId": "invalid-2", "name": "Spaceship Owners", "contactType": "Spaceship"}""");
        bundle().awaitState(SOURCE, "invalid-2", SyncState.FAILED);

        DeadLetter legacy = letterFor("invalid-1");
        assertThat(legacy.httpStatus()).isEqualTo(400);
        assertThat(legacy.virtuousMessage()).startsWith("The request is invalid.; ").contains("contactType", "Spaceship");
        DeadLetter target = letterFor("invalid-2");
        assertThat(target.httpStatus()).isEqualTo(422);
        assertThat(target.virtuousMessage()).startsWith("VALIDATION_FAILED; Validation failed.; contactType: ").contains("Spaceship");
        assertThat(List.of(legacy, target)).allSatisfy(letter -> assertThat(letter.attempts()).isEqualTo(1));
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(2);
        assertThat(gateState()).isEqualTo("USABLE");
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
            // a Virtuous of the test's own answers instead of the sandbox: these settings win over the sandbox's URL and key
            fixture.start(Map.of("virtuous.api.base-url", "http://localhost:" + virtuous.getAddress().getPort(), "virtuous.api.key", "test-key"));

            bundle().post("/donors", donor("conflict-1"));

            bundle().awaitState(SOURCE, "conflict-1", SyncState.FAILED);
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
    void theKeyIsStoredNowhereAfterACallNeitherInTheAggregatorsTablesNorInADeadLetter() throws Exception {
        fixture.start(Map.of("sync.webhook.secret", "policy-secret"));
        // recorded, not yet worked on (the redrive's next run is a minute away): its Contact's event comes first, and is held
        bundle().admissions().receive(new ReferencePair(SOURCE, "early-2"), Map.of("referenceSource", SOURCE, "referenceId", "early-2",
                "firstName", "Emmy", "lastName", "Noether", "contactType", "Household"));
        bundle().deliverWebhook("policy-secret", "{\"event\":\"ContactCreate\",\"contact\":{\"id\":5555,\"contactReferences\":"
                + "[{\"source\":\"" + SOURCE + "\",\"id\":\"early-2\"}]}}");
        bundle().post("/donors", donor("held-1"));
        bundle().post("/donors", """
                {"referenceId": "invalid-3", "name": "Spaceship Owners", "contactType": "Spaceship"}""");

        bundle().awaitState(SOURCE, "held-1", SyncState.PENDING);
        bundle().awaitState(SOURCE, "invalid-3", SyncState.FAILED);

        // the early event's group and the dead letter; held-1's submission, made with the key, is never stored: its
        // PENDING row is what its webhook will complete against
        List<byte[]> stored = await().until(this::storedRows, rows -> rows.size() == 2);
        byte[] key = sandbox().getApiKey().getBytes(StandardCharsets.UTF_8);
        assertThat(stored).as("rows holding the API key").noneMatch(row -> indexOf(row, key) >= 0);
    }

    /** The aggregator's held and completed exchanges and the dead letters, as bytes. */
    private List<byte[]> storedRows() throws Exception {
        DataSource database = bundle().bean("database", DataSource.class);
        List<byte[]> rows = new ArrayList<>();
        try (Connection c = database.getConnection();
             ResultSet row = c.createStatement().executeQuery("SELECT exchange FROM sync_resolution "
                     + "UNION ALL SELECT exchange FROM sync_resolution_completed "
                     + "UNION ALL SELECT CAST(CONCAT(reason, virtuous_message, donor_json) AS VARBINARY) FROM dead_letter")) {
            while (row.next()) {
                rows.add(row.getBytes(1));
            }
        }
        return rows;
    }

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }

    private TestClock clock() {
        return fixture.clock();
    }

    /** Waits until the donor's submit is recorded as unanswered: PENDING, not accepted, with the failure as its last error. */
    private void awaitUnanswered(String referenceId) {
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().entry(SOURCE, referenceId),
                entry -> entry != null && entry.state() == SyncState.PENDING && !entry.isSubmitAccepted() && entry.lastError() != null);
    }

    private static String donor(String referenceId) {
        return "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\"}";
    }

    /** The number of requests Virtuous has received, once it has stayed the same for {@link #QUIET}. */
    private int quietRequestCount() {
        AtomicInteger previous = new AtomicInteger(-1);
        await().pollDelay(Duration.ZERO).pollInterval(QUIET).atMost(Duration.ofSeconds(15))
                .until(() -> previous.getAndSet(sandbox().requests().size()) == sandbox().requests().size());
        return previous.get();
    }

    private String gateState() throws Exception {
        return (String) accessDetails(bundle().get("/sync/health")).get("state");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> accessDetails(SyncBundle.Response health) throws Exception {
        Map<String, Object> checks = (Map<String, Object>) health.json().get("checks");
        return (Map<String, Object>) ((Map<String, Object>) checks.get("virtuous-access")).get("details");
    }

    private HealthCheck.Result readiness() {
        return HealthCheckHelper.invokeReadiness(bundle().context(), "full").stream()
                .filter(result -> result.getCheck().getId().equals("virtuous-access")).findFirst().orElseThrow();
    }

    private DeadLetter letterFor(String referenceId) throws Exception {
        return bundle().deadLetters().stream().filter(letter -> referenceId.equals(letter.referenceId())).findFirst().orElseThrow();
    }

    private static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i + part.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        return -1;
    }

    private static <T> T last(List<T> items) {
        return items.get(items.size() - 1);
    }
}
