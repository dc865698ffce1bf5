package org.contactsync;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.contactsync.ledger.GroupCommit;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Concurrent {@code POST /donors} share one commit ({@link GroupCommit}), and the durability of each holds: no request
 * is answered before the commit that holds its donor, and a commit the database refuses fails every request of its
 * group, none of whose donors is recorded. A trigger on the bundle's own H2 ledger holds the first commit open (so the
 * requests behind it queue up and form one group) and, when told, refuses every write.
 */
class GroupCommitTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final int QUEUED = 5;

    @RegisterExtension
    static final SyncFixture fixture = new SyncFixture();

    private final ExecutorService clients = Executors.newFixedThreadPool(QUEUED + 1);

    @BeforeEach
    void installGate() {
        Gate.reset();
        database().jdbc().execute("CREATE TRIGGER IF NOT EXISTS group_commit_gate AFTER INSERT ON sync_ledger FOR EACH ROW CALL \""
                + Gate.class.getName() + "\"");
    }

    @AfterEach
    void removeGate() {
        Gate.reset();
        database().jdbc().execute("DROP TRIGGER IF EXISTS group_commit_gate");
        clients.shutdownNow();
    }

    @Test
    void requestsArrivingTogetherShareACommitAndNoneIsAnsweredBeforeIt() throws Exception {
        CountDownLatch release = Gate.holdNextInsert();
        List<Future<String>> answers = postWhileTheFirstCommitIsHeld("together");

        assertThat(answers).as("no request answered while its commit is held").noneMatch(Future::isDone);
        assertThat(bundle().entry(SOURCE, "together-0")).as("nothing committed yet").isNull();

        release.countDown();
        for (Future<String> answer : answers) {
            // each client, on its 202, found its donor in the ledger (read through another connection: committed only)
            assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("202, recorded");
        }
        // the first request's donor committed alone; the five that queued behind it, in one transaction
        Set<Object> groups = ConcurrentHashMap.newKeySet();
        for (int i = 1; i <= QUEUED; i++) {
            groups.add(Gate.transactions.get("together-" + i));
        }
        assertThat(groups).hasSize(1).doesNotContain(Gate.transactions.get("together-0"));
    }

    @Test
    void aCommitTheDatabaseRefusesFailsEveryRequestOfItsGroupAndRecordsNone() throws Exception {
        CountDownLatch release = Gate.holdNextInsert();
        List<Future<String>> answers = postWhileTheFirstCommitIsHeld("refused");

        Gate.failing = true;
        release.countDown();
        for (Future<String> answer : answers) {
            assertThat(answer.get(20, TimeUnit.SECONDS)).as("refused, so the platform sends it again").isEqualTo("500, not recorded");
        }
        for (int i = 0; i <= QUEUED; i++) {
            assertThat(bundle().ledger().history(new ReferencePair(SOURCE, "refused-" + i))).isEmpty();
        }
        assertThat(bundle().deadLetters()).as("nothing of them stored anywhere").isEmpty();

        // the database takes writes again: the platform's resend is accepted, whole
        Gate.failing = false;
        for (int i = 0; i <= QUEUED; i++) {
            assertThat(bundle().post("/donors", donor("refused-" + i)).status()).isEqualTo(202);
            assertThat(bundle().entry(SOURCE, "refused-" + i)).isNotNull();
        }
    }

    /**
     * Posts one donor, whose commit the gate holds, then {@value #QUEUED} more, and waits until those wait in the group
     * commit behind it. Each answer reads "status, recorded|not recorded": whether the donor was in the ledger the
     * moment its answer came.
     */
    private List<Future<String>> postWhileTheFirstCommitIsHeld(String prefix) throws Exception {
        List<Future<String>> answers = new ArrayList<>();
        answers.add(clients.submit(() -> post(prefix + "-0")));
        await().atMost(Duration.ofSeconds(10)).until(() -> Gate.holding);
        for (int i = 1; i <= QUEUED; i++) {
            String referenceId = prefix + "-" + i;
            answers.add(clients.submit(() -> post(referenceId)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsWaitingForTheCommit() >= QUEUED);
        return answers;
    }

    private String post(String referenceId) throws Exception {
        int status = bundle().post("/donors", donor(referenceId)).status();
        return status + ", " + (bundle().entry(SOURCE, referenceId) == null ? "not recorded" : "recorded");
    }

    /** HTTP request threads parked in GroupCommit.execute: queued behind the commit under way. */
    private static long requestsWaitingForTheCommit() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> thread.getKey().getName().startsWith("vert.x-worker-thread"))
                .filter(thread -> thread.getKey().getState() == Thread.State.WAITING)
                .filter(thread -> Arrays.stream(thread.getValue()).anyMatch(frame -> frame.getClassName().equals(GroupCommit.class.getName())
                        && frame.getMethodName().equals("execute")))
                .count();
    }

    private static String donor(String referenceId) {
        return "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Grace\",\"lastName\":\"Hopper\"}";
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }

    private static SyncDatabase database() {
        return bundle().bean("database", SyncDatabase.class);
    }

    /**
     * The test's hand on the ledger's inserts: holds the next one (inside its transaction, before the commit) until
     * released, refuses them all while {@link #failing}, and notes each donor's transaction.
     */
    public static final class Gate implements Trigger {

        static final Map<String, Object> transactions = new ConcurrentHashMap<>();
        static final AtomicReference<CountDownLatch> held = new AtomicReference<>();
        static volatile boolean holding;
        static volatile boolean failing;

        static CountDownLatch holdNextInsert() {
            CountDownLatch release = new CountDownLatch(1);
            held.set(release);
            return release;
        }

        static void reset() {
            CountDownLatch release = held.getAndSet(null);
            if (release != null) {
                release.countDown();
            }
            holding = false;
            failing = false;
            transactions.clear();
        }

        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
            CountDownLatch release = held.getAndSet(null);
            if (release != null) {
                holding = true;
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failing) {
                throw new SQLException("the test's database refuses every write");
            }
            try (var statement = connection.createStatement(); var row = statement.executeQuery("SELECT TRANSACTION_ID()")) {
                row.next();
                transactions.put((String) newRow[1], String.valueOf(row.getObject(1)));
            }
        }
    }
}
