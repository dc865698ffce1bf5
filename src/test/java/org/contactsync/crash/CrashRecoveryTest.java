package org.contactsync.crash;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash tests of a real process, the CI's share (the bench runs 20 and more: bench/README.md): the bundle in its own
 * JVM, fed 80 donors over HTTP (6 of them changed later) and a 30-donor file, and killed with SIGKILL six times at
 * moments its seed chooses (right after a 202, mid-bulk chunk, mid-poll, mid-webhook, mid-update, mid coalesced live
 * chunk: one of each), restarted on the same directory, against the sandbox in a process that outlives it;
 * then every promise checked (CrashTrial). Plus a run without crashes in which a fifth of Virtuous's answers are a
 * reset, a timeout, or a 500 or 503, and a crash trial on PostgreSQL with two kills (mid-bulk, mid-update).
 *
 * <p>The three trials run at once (each has its own processes, ports and directory); the bundle's JVM starts are much of
 * their work, and queue for the cores (BundleProcess). A failure prints the trial's seed, every violation with its
 * reference pair, the kills, and the directory holding each incarnation's log and the database; the same seed replays
 * the same plan.
 */
class CrashRecoveryTest {

    private static final ExecutorService TRIALS = Executors.newFixedThreadPool(4);
    private static Future<TrialResult> firstH2;
    private static Future<TrialResult> faults;
    private static Future<TrialResult> postgres;

    @BeforeAll
    static void startTrials() {
        // all six kinds of kill in one trial: a second H2 trial was the suite's heaviest few CPU-seconds for no new kind
        firstH2 = start(ci(1).kills(CrashTrial.Kill.values().length));
        // no crash: 20 % of Virtuous requests reset, timed out after they were handled, 500 after handled or 503 before
        faults = start(ci(7).kills(0).faults(0.2));
        // two kills (mid-bulk, mid-update: seed 17 draws them first of the six kinds), to keep the class's time down
        postgres = start(ci(17).on(TrialDatabase.POSTGRESQL).kills(2));
    }

    @AfterAll
    static void stopTrials() throws InterruptedException {
        // a trial interrupted here still kills its processes (CrashTrial.run's finally, and TrialProcesses' hook)
        TRIALS.shutdownNow();
        TRIALS.awaitTermination(1, TimeUnit.MINUTES);
    }

    @Test
    void killedOnH2OnceByEachKindNoAcceptedDonorIsLostOrSubmittedTwice() throws Exception {
        assertSurvived(result(firstH2));
    }

    @Test
    void killedTwiceOnPostgresNoAcceptedDonorIsLostOrSubmittedTwice() throws Exception {
        assertSurvived(result(postgres));
    }

    @Test
    void aFifthOfRequestsFaultedNoPairIsSubmittedTwiceAndEveryDonorIsSubmitted() throws Exception {
        TrialResult result = result(faults);
        assertThat(result.counts().takenTwice).as("reference pairs taken twice\n" + result.report(40)).isZero();
        assertThat(result.counts().notSubmitted).as("donors neither SYNCED nor PENDING with a submission Virtuous took\n"
                + result.report(40)).isZero();
        assertThat(result.counts().neverAccepted).as("donors never accepted\n" + result.report(40)).isZero();
        assertThat(result.faults().values().stream().mapToInt(Integer::intValue).sum()).as("faults served").isPositive();
    }

    private static void assertSurvived(TrialResult result) {
        assertThat(result.violations()).as(result.report(40)).isEmpty();
        assertThat(result.kills()).as("kills").hasSize(result.plan().kills());
        assertThat(result.counts().accepted).as("donors accepted").isGreaterThanOrEqualTo(expectedDonors(result.plan()));
    }

    /**
     * 80 donors posted, 6 of them changed, a 30-donor file (a bulk load: sync.bulk.threshold is 20 here, so that the
     * file stays small and still makes three Batches of 10), 3 kills.
     */
    private static CrashTrial.Plan ci(long seed) {
        return CrashTrial.Plan.of(seed).donors(80, 30, 6).bulkLoads(20, 10).kills(3);
    }

    private static int expectedDonors(CrashTrial.Plan plan) {
        return plan.liveDonors() + plan.bulkDonors();
    }

    private static Future<TrialResult> start(CrashTrial.Plan plan) {
        return TRIALS.submit(() -> new CrashTrial(plan).run());
    }

    private static TrialResult result(Future<TrialResult> trial) throws Exception {
        TrialResult result = trial.get(Duration.ofMinutes(4).toMillis(), TimeUnit.MILLISECONDS);
        System.out.println(result.report(200));
        return result;
    }
}
