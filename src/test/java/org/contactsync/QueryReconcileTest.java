package org.contactsync;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With webhooks lost, the pending poll settles many PENDING donors with one Contact Query page instead of a GET each,
 * and keeps the GETs for what the Query cannot settle: a failed Query, an organisation with more modified Contacts than
 * donors due, and the last check before the dead letter.
 */
class QueryReconcileTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String QUERY = "/api/Contact/Query/FullContact";
    private static final String BY_REFERENCE = "/api/Contact/" + SOURCE + "/";

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture()
            .sandbox((sandbox, clock) -> {
                sandbox.setClock(clock);
                sandbox.setWebhookDeliveryEnabled(false);
            })
            .with(Map.of("sync.bulk.threshold", "5", "sync.bulk.period-ms", "100", "sync.poll.query-min", "3"));

    @Test
    void manyPendingDonorsAreSettledByOneQueryInsteadOfAGetEach() throws Exception {
        sandbox().seedContact(Map.of("name", "Someone Else's Donor"));
        backfill("q", 12);
        sandbox().runBatch();
        post("late-1");

        clock().advance(Duration.ofHours(7));
        bundle().poll();

        for (int i = 1; i <= 12; i++) {
            LedgerEntry synced = bundle().awaitState(SOURCE, "q-" + i, SyncState.SYNCED);
            assertThat(synced.resolvedBy()).isEqualTo("poll-query");
            assertThat(synced.contactId()).isEqualTo(contactIdOf("q-" + i));
        }
        assertThat(bundle().entry(SOURCE, "late-1").state()).as("not imported yet").isEqualTo(SyncState.PENDING);
        assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(1);
        assertThat(sandbox().requestCount("GET", BY_REFERENCE)).as("the Query read every page: late-1 has no Contact").isZero();
    }

    @Test
    void aContactTheQueryCannotSeeIsFoundByTheLastGetBeforeTheDeadLetter() throws Exception {
        // a Contact that already held the reference and that the import matched without changing it: no newer modified date
        long untouched = sandbox().seedContact(Map.of("referenceSource", SOURCE, "referenceId", "q-1", "name", "Long Known"));
        clock().advance(Duration.ofHours(2));
        backfill("q", 6);

        clock().advance(Duration.ofHours(7));
        bundle().poll();
        assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(1);
        assertThat(sandbox().requestCount("GET", BY_REFERENCE)).isZero();

        clock().advance(Duration.ofDays(2));
        bundle().poll();

        LedgerEntry found = bundle().awaitState(SOURCE, "q-1", SyncState.SYNCED);
        assertThat(found.contactId()).isEqualTo(untouched);
        assertThat(found.resolvedBy()).isEqualTo("poll");
        for (int i = 2; i <= 6; i++) {
            bundle().awaitState(SOURCE, "q-" + i, SyncState.FAILED);
        }
        assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(2);
        assertThat(sandbox().requestCount("GET", BY_REFERENCE)).isEqualTo(6);
    }

    @Test
    void aQueryVirtuousCannotAnswerFallsBackToAGetEach() throws Exception {
        backfill("q", 6);
        sandbox().runBatch();
        sandbox().failNext(1, 500);

        clock().advance(Duration.ofHours(7));
        bundle().poll();

        for (int i = 1; i <= 6; i++) {
            assertThat(bundle().awaitState(SOURCE, "q-" + i, SyncState.SYNCED).resolvedBy()).isEqualTo("poll");
        }
        assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(1);
        assertThat(sandbox().requestCount("GET", BY_REFERENCE)).isEqualTo(6);
    }

    /**
     * An organisation without the Query endpoint or its condition, a proxy's error page, an empty or shapeless answer:
     * none of them is a page, and the same poll run settles every donor with a GET by reference; the next run asks the
     * Query again.
     */
    @Test
    void aQueryAnswerThatIsNoPageFallsBackToAGetEachInTheSameRun() throws Exception {
        String[][] answers = {{"404", ""}, {"400", "{\"message\":\"The request is invalid.\",\"modelState\":{\"query.groups\":[\"Unknown\"]}}"},
                {"500", "{\"message\":\"An error has occurred.\"}"}, {"200", ""}, {"200", "{}"}, {"200", "[]"}};
        for (int run = 0; run < answers.length; run++) {
            String prefix = "a" + run;
            backfill(prefix, 6);
            sandbox().runBatch();
            sandbox().answerNext("POST", QUERY, Integer.parseInt(answers[run][0]), answers[run][1]);
            long gets = sandbox().requestCount("GET", BY_REFERENCE);

            clock().advance(Duration.ofHours(7));
            bundle().poll();

            for (int i = 1; i <= 6; i++) {
                assertThat(bundle().awaitState(SOURCE, prefix + "-" + i, SyncState.SYNCED).resolvedBy()).as(answers[run][0] + " " + answers[run][1])
                        .isEqualTo("poll");
            }
            assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(run + 1);
            assertThat(sandbox().requestCount("GET", BY_REFERENCE) - gets).isEqualTo(6);
        }

        backfill("answered", 6);
        sandbox().runBatch();
        clock().advance(Duration.ofHours(7));
        bundle().poll();
        for (int i = 1; i <= 6; i++) {
            assertThat(bundle().awaitState(SOURCE, "answered-" + i, SyncState.SYNCED).resolvedBy()).as("the next run's Query answers")
                    .isEqualTo("poll-query");
        }
    }

    @Test
    void whenMoreContactsChangedThanDonorsAreDueTheGetsCostLessThanThePagesLeft() throws Exception {
        for (String id : List.of("few-1", "few-2", "few-3")) {
            post(id);
        }
        clock().advance(Duration.ofMinutes(1));
        // the organisation's other work: 3,500 Contacts modified since, sorted before ours
        for (int i = 0; i < 3500; i++) {
            sandbox().seedContact(Map.of("name", "Other Contact " + i));
        }
        clock().advance(Duration.ofMinutes(1));
        sandbox().runBatch();

        clock().advance(Duration.ofHours(7));
        bundle().poll();

        for (String id : List.of("few-1", "few-2", "few-3")) {
            assertThat(bundle().awaitState(SOURCE, id, SyncState.SYNCED).resolvedBy()).isEqualTo("poll");
        }
        // page 1 settled none and 3 pages were left for 3 donors: 1 Query + 3 GETs instead of 4 pages
        assertThat(sandbox().requestCount("POST", QUERY)).isEqualTo(1);
        assertThat(sandbox().requestCount("GET", BY_REFERENCE)).isEqualTo(3);
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

    private void post(String referenceId) throws Exception {
        bundle().post("/donors", "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Pending\",\"lastName\":\"" + referenceId + "\"}");
        bundle().awaitState(SOURCE, referenceId, SyncState.PENDING);
    }

    /** A bulk load of prefix-1 ... prefix-n (one POST above sync.bulk.threshold), all PENDING once it returns. */
    private void backfill(String prefix, int count) throws Exception {
        String donors = IntStream.rangeClosed(1, count)
                .mapToObj(i -> "{\"referenceId\":\"" + prefix + "-" + i + "\",\"firstName\":\"Pending\",\"lastName\":\"Donor" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
        assertThat(bundle().post("/donors", donors).status()).isEqualTo(202);
        for (int i = 1; i <= count; i++) {
            bundle().awaitState(SOURCE, prefix + "-" + i, SyncState.PENDING);
        }
    }

    private long contactIdOf(String referenceId) {
        return sandbox().contacts().stream().filter(c -> c.get("contactReferences").toString().contains("id=" + referenceId + "}"))
                .map(c -> ((Number) c.get("id")).longValue()).findFirst().orElseThrow();
    }
}
