package org.contactsync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.RecordedRequest;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A file of more than sync.bulk.threshold donors goes through POST /api/Contact/Batch in chunks of sync.batch.size,
 * without Finds, into the same ledger states, resolution and dead letter as live donors; live donors keep the front of
 * the rate governor's queue; a restart resumes what was not sent.
 */
class BulkLoadTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String SECRET = "bulk-secret";

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture()
            .sandbox((sandbox, clock) -> sandbox.setClock(clock))
            .with(Map.of("sync.bulk.threshold", "5", "sync.batch.size", "4", "sync.bulk.period-ms", "100"))
            .startedByTest();

    @Test
    @SuppressWarnings("unchecked")
    void aFileAboveTheThresholdGoesInBatchesWithoutFindsAndEndsSyncedByTheImportsWebhooks() throws Exception {
        long existing = sandbox().seedContact(Map.of("referenceSource", SOURCE, "referenceId", "bulk-3", "firstName", "Known",
                "lastName", "Donor"));
        fixture.start(Map.of("sync.webhook.secret", SECRET, "sync.webhook.public-url", "http://localhost:{{camel.server.port}}"));
        String payloadUrl = bundle().uri("/webhooks/virtuous").toString();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().webhooks().stream().anyMatch(w -> payloadUrl.equals(w.get("payloadUrl"))));

        drop("backfill.csv", donors(10));

        for (int i = 1; i <= 10; i++) {
            bundle().awaitState(SOURCE, "bulk-" + i, SyncState.PENDING);
        }
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(3);
        assertThat(sandbox().requestCount("GET", "/api/Contact/Find")).isZero();
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isZero();
        assertThat(sandbox().heldTransactions()).extracting(t -> t.get("referenceId")).doesNotHaveDuplicates().hasSize(10);

        List<BatchResult> batch = sandbox().runBatch();

        for (int i = 1; i <= 10; i++) {
            String id = "bulk-" + i;
            LedgerEntry synced = bundle().awaitState(SOURCE, id, SyncState.SYNCED);
            assertThat(synced.contactId()).isEqualTo(batch.stream().filter(r -> id.equals(r.referenceId())).findFirst().orElseThrow().contactId());
            assertThat(sandbox().contactCountForReference(SOURCE, id)).isEqualTo(1);
        }
        assertThat(bundle().entry(SOURCE, "bulk-3").contactId()).as("the import matched it by reference").isEqualTo(existing);
        assertThat(bundle().entry(SOURCE, "bulk-3").resolvedBy()).isEqualTo("webhook-update");
        assertThat(bundle().entry(SOURCE, "bulk-4").resolvedBy()).isEqualTo("webhook-create");
        assertThat(bundle().ledger().history(new ReferencePair(SOURCE, "bulk-4"))).extracting(step -> step.get("detail"))
                .as("the history says how it was sent").contains("Contact Batch submitted");

        Map<String, Object> status = bundle().get("/sync/status").json();
        assertThat(((Number) status.get("SYNCED")).intValue()).isEqualTo(10);
        assertThat((Map<String, Object>) status.get("budget")).containsKeys("limit", "remaining", "ourShare", "waiting");
        Map<String, Object> load = ((List<Map<String, Object>>) status.get("bulkLoads")).get(0);
        assertThat(load).containsEntry("origin", "backfill.csv").containsEntry("total", 10).containsEntry("done", 10)
                .containsEntry("failed", 0).containsEntry("batchRequests", 3).containsKeys("startedAt", "finishedAt", "donorsPerSecond");
    }

    @Test
    void aDonorIntakeRejectsOrVirtuousRefusesEndsInTheDeadLetterAndTheRestGoOn() throws Exception {
        fixture.start(Map.of());
        StringBuilder file = new StringBuilder(donors(9));
        replaceLine(file, "bulk-2,", "bulk-2,Bad,Email,not-an-email,Household");
        replaceLine(file, "bulk-6,", "bulk-6,Space,Ship,,Spaceship");

        drop("with-bad-donors.csv", file.toString());

        for (int i : new int[] {1, 3, 4, 5, 7, 8, 9}) {
            bundle().awaitState(SOURCE, "bulk-" + i, SyncState.PENDING);
        }
        bundle().awaitState(SOURCE, "bulk-6", SyncState.FAILED);
        assertThat(bundle().entry(SOURCE, "bulk-2")).as("rejected at intake, never recorded").isNull();
        List<DeadLetter> letters = bundle().deadLetters();
        assertThat(letters).extracting(DeadLetter::referenceId).containsExactlyInAnyOrder("bulk-2", "bulk-6");
        assertThat(letters).filteredOn(l -> l.referenceId().equals("bulk-6")).singleElement().satisfies(l -> {
            assertThat(l.httpStatus()).isBetween(400, 422);
            assertThat(l.virtuousMessage()).contains("Spaceship");
            assertThat(l.stage()).isEqualTo("transaction-submit");
        });
        // 8 donors in 2 chunks; the refused chunk's 4 donors went alone
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(2);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(4);
        assertThat(sandbox().heldTransactions()).extracting(t -> t.get("referenceId")).doesNotHaveDuplicates().hasSize(7);
    }

    @Test
    void aChunkAnswered503IsRetriedOneWhoseRetriesRunOutDeadLettersEachOfItsDonorsAndOneAnswered500IsNeverSentAgain() throws Exception {
        fixture.start(Map.of("sync.retry.max-redeliveries", "2"));
        sandbox().failNext(1, 503);

        drop("retried.csv", donors(10));

        for (int i = 1; i <= 10; i++) {
            bundle().awaitState(SOURCE, "bulk-" + i, SyncState.PENDING);
        }
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(4);
        assertThat(bundle().deadLetters()).isEmpty();

        sandbox().failNext(3, 503);
        drop("exhausted.csv", donors(10).replace("bulk-", "more-"));

        for (int i = 1; i <= 4; i++) {
            bundle().awaitState(SOURCE, "more-" + i, SyncState.FAILED);
        }
        for (int i = 5; i <= 10; i++) {
            bundle().awaitState(SOURCE, "more-" + i, SyncState.PENDING);
        }
        assertThat(bundle().deadLetters()).hasSize(4).allSatisfy(letter -> {
            assertThat(letter.stage()).isEqualTo("batch-submit");
            assertThat(letter.httpStatus()).isEqualTo(503);
        });
        // the first file's 3 chunks and their retry, then 1 try and 2 retries of the failing chunk, and the 2 others
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(4 + 3 + 2);

        // a 500 may come after Virtuous took the chunk: its donors stay PENDING, sent once, for their webhooks or the poll
        sandbox().failNext(1, 500);
        drop("unanswered.csv", donors(6).replace("bulk-", "maybe-"));
        bundle().awaitState(SOURCE, "maybe-6", SyncState.PENDING);
        for (int i = 1; i <= 4; i++) {
            LedgerEntry maybe = bundle().entry(SOURCE, "maybe-" + i);
            assertThat(maybe.state()).isEqualTo(SyncState.PENDING);
            assertThat(maybe.isSubmitAccepted()).isFalse();
            assertThat(maybe.lastError()).isEqualTo("HTTP 500");
        }
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(4 + 3 + 2 + 2);
        assertThat(bundle().deadLetters()).hasSize(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLiveDonorArrivingDuringABackfillIsServedBeforeTheRemainingChunks() throws Exception {
        // three requests an hour: the backfill's five chunks need two more windows
        sandbox().setRateLimitPerHour(3);
        clock().advanceIntoNextHour();
        fixture.start(Map.of("sync.batch.size", "2", "virtuous.rate.limit-per-hour", "3", "virtuous.rate.max-share", "1.0", "virtuous.rate.floor", "0"));

        drop("backfill.csv", donors(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().requests().size() == 3 && waiting("BULK") == 1);
        bundle().post("/donors", "{\"referenceId\":\"live-1\",\"firstName\":\"Live\",\"lastName\":\"Donor\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> waiting("LIVE") == 1);

        clock().advance(Duration.ofHours(1));

        bundle().awaitState(SOURCE, "live-1", SyncState.PENDING);
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().requests().size() == 6 && waiting("BULK") == 1);
        // the next window: the live donor's Find and Transaction with at most one chunk between them; the last chunk waits
        assertThat(sandbox().requests().subList(3, 6)).extracting(BulkLoadTest::operation)
                .containsExactlyInAnyOrder("GET /api/Contact/Find", "POST /api/Contact/Transaction", "POST /api/Contact/Batch");
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).as("one chunk still waits").isEqualTo(4);

        clock().advance(Duration.ofHours(1));

        for (int i = 1; i <= 10; i++) {
            bundle().awaitState(SOURCE, "bulk-" + i, SyncState.PENDING);
        }
        assertThat(sandbox().requests()).noneMatch(request -> request.status() == 429);
    }

    @Test
    void aRestartResumesTheDonorsNotYetSentAndSendsNoneTwice() throws Exception {
        fixture.start(Map.of("sync.batch.size", "4", "camel.main.shutdown-timeout", "5"));
        sandbox().setLatencyMillis(500);

        drop("interrupted.csv", donors(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().requestCount("POST", "/api/Contact/Batch") == 1);
        fixture.stopBundle();
        long leftBehind = receivedWhileStopped();
        sandbox().setLatencyMillis(0);

        fixture.start(Map.of("sync.batch.size", "4"));

        for (int i = 1; i <= 10; i++) {
            bundle().awaitState(SOURCE, "bulk-" + i, SyncState.PENDING);
        }
        assertThat(leftBehind).as("the stop came mid-load").isPositive();
        assertThat(sandbox().requestCount("POST", "/api/Contact/Batch")).isEqualTo(3);
        assertThat(sandbox().heldTransactions()).extracting(t -> t.get("referenceId")).doesNotHaveDuplicates().hasSize(10);
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

    private Path directory() {
        return fixture.directory();
    }

    /** A CSV of donors bulk-1 ... bulk-n, in that order. */
    private static String donors(int count) {
        return "referenceId,firstName,lastName,email,contactType\n" + IntStream.rangeClosed(1, count)
                .mapToObj(i -> "bulk-" + i + ",Donor,Number" + i + ",donor" + i + "@example.org,Household")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static void replaceLine(StringBuilder csv, String prefix, String line) {
        int start = csv.indexOf("\n" + prefix) + 1;
        csv.replace(start, csv.indexOf("\n", start), line);
    }

    /** Written aside, then moved in whole, as a platform should drop files. */
    private void drop(String name, String content) throws Exception {
        Path inbox = Files.createDirectories(directory().resolve("inbox"));
        Path part = Files.writeString(directory().resolve(name + ".part"), content);
        Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Read from the stopped bundle's database. */
    private long receivedWhileStopped() throws Exception {
        SyncDatabase database = new SyncDatabase("jdbc:h2:file:" + directory().resolve("db").toAbsolutePath(), "sa", "", 2, 5000);
        try {
            return new LedgerViews(new SyncLedger(database, clock(), new ClusterNode("", 0), 300)).countsByState().get(SyncState.RECEIVED);
        } finally {
            database.close();
        }
    }

    @SuppressWarnings("unchecked")
    private int waiting(String lane) {
        RateGovernor governor = bundle().bean("rate-governor", RateGovernor.class);
        return ((Map<RateGovernor.Lane, Integer>) governor.status().get("waiting")).get(RateGovernor.Lane.valueOf(lane));
    }

    private static String operation(RecordedRequest request) {
        return request.method() + " " + request.path();
    }
}
