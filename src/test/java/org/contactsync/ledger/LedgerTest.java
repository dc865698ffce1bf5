package org.contactsync.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The ledger's parts on a real H2 file database: admissions, claims, the submit's marking, leases, views. */
class LedgerTest {

    private static final ReferencePair ADA = new ReferencePair("P", "ada");
    private static final Map<String, Object> DONOR = Map.of("referenceSource", "P", "referenceId", "ada", "firstName", "Ada", "lastName", "L");

    @TempDir
    Path directory;

    private final TestClock clock = new TestClock();
    private SyncDatabase database;
    private SyncLedger ledger;
    private Admissions admissions;
    private Claims claims;

    @BeforeEach
    void open() throws Exception {
        database = new SyncDatabase("jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(), "sa", "", 4, 5000);
        database.migrate();
        ledger = ledger("node-a");
        admissions = new Admissions(ledger);
        claims = new Claims(ledger, 300, new ClusterNode("node-a", 0));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private SyncLedger ledger(String node) {
        return new SyncLedger(database, clock, new ClusterNode(node, 0), 300);
    }

    @Test
    void theSameDonorTwiceIsOneRowAndAChangeReopensIt() {
        assertThat(admissions.receive(ADA, DONOR)).isEqualTo(Admission.NEW);
        assertThat(admissions.receive(ADA, DONOR)).isEqualTo(Admission.UNCHANGED);
        assertThat(admissions.receive(ADA, Map.of("referenceId", "ada", "firstName", "Ada", "lastName", "King"))).isEqualTo(Admission.CHANGED);
        assertThat(ledger.history(ADA)).extracting(step -> step.get("state")).containsExactly("RECEIVED", "RECEIVED");
    }

    @Test
    void onlyTheExchangeHoldingTheClaimMarksTheSubmitAndOnlyOnce() {
        admissions.receive(ADA, DONOR);
        assertThat(claims.claim(ADA, "exchange-1", false)).isNotNull();
        assertThat(claims.claim(ADA, "exchange-2", false)).as("held by exchange-1").isNull();

        assertThat(ledger.markSending(ADA, "exchange-2", DONOR, "Contact Transaction")).as("not exchange-2's claim").isFalse();
        assertThat(ledger.markSending(ADA, "exchange-1", DONOR, "Contact Transaction")).isTrue();
        assertThat(ledger.markSending(ADA, "exchange-1", DONOR, "Contact Transaction")).as("already sent").isFalse();
        assertThat(ledger("node-b").markSending(ADA, "exchange-1", DONOR, "Contact Transaction")).as("another node's exchange").isFalse();

        LedgerEntry sent = ledger.entry(ADA);
        assertThat(sent.state()).isEqualTo(SyncState.PENDING);
        assertThat(sent.isSubmitAccepted()).isFalse();
        assertThat(ledger.markAccepted(ADA)).isTrue();
        assertThat(ledger.markAccepted(ADA)).isFalse();
        assertThat(ledger.entry(ADA).isSubmitAccepted()).isTrue();
        assertThat(ledger.history(ADA)).extracting(step -> step.get("detail")).containsExactly("new donor", "Contact Transaction submitted");
    }

    @Test
    void anUnansweredSubmitIsResubmittedOnlyOnceAndAnAcceptedOneNever() {
        admissions.receive(ADA, DONOR);
        claims.claim(ADA, "exchange-1", false);
        ledger.markSending(ADA, "exchange-1", DONOR, "Contact Transaction");
        ledger.markUnanswered(ADA, "Contact Transaction", "SocketTimeoutException: Read timed out");

        assertThat(ledger.entry(ADA).lastError()).contains("Read timed out");
        OffsetDateTime first = ledger.entry(ADA).submittedAt();
        assertThat(ledger.resubmit(ADA, first, "nothing at the deadline")).isTrue();
        assertThat(ledger.resubmit(ADA, first, "nothing at the deadline")).isFalse();
        assertThat(ledger.entry(ADA).state()).isEqualTo(SyncState.RECEIVED);

        // submitted again and not answered yet: a poll still holding the first submit's row must not take this one for it
        clock.advance(Duration.ofSeconds(1));
        claims.claim(ADA, "exchange-2", false);
        ledger.markSending(ADA, "exchange-2", DONOR, "Contact Transaction");
        assertThat(ledger.resubmit(ADA, first, "nothing at the deadline")).as("a stale row's submit").isFalse();

        ledger.markAccepted(ADA);
        assertThat(ledger.resubmit(ADA, ledger.entry(ADA).submittedAt(), "nothing at the deadline")).as("Virtuous took it").isFalse();
    }

    @Test
    void aRefusedBatchDonorGoesBackClaimedForTheSameExchange() {
        admissions.receive(ADA, DONOR);
        claims.claim(ADA, "bulk-run", false);
        ledger.markSending(ADA, "bulk-run", DONOR, "Contact Batch");

        assertThat(ledger.unsend(ADA, "bulk-run", "Contact Batch refused (400): sent alone")).isTrue();
        assertThat(claims.claim(ADA, "another", false)).as("still claimed").isNull();
        assertThat(ledger.markSending(ADA, "bulk-run", DONOR, "Contact Transaction")).isTrue();
    }

    @Test
    void anEndedExchangeGivesUpItsClaimAndARestartedNodeTakesItsOwnBack() {
        admissions.receive(ADA, DONOR);
        ReferencePair grace = new ReferencePair("P", "grace");
        admissions.receive(grace, Map.of("referenceId", "grace", "name", "Grace"));
        claims.claim(ADA, "exchange-1", false);
        claims.claim(grace, "exchange-2", false);

        claims.release("exchange-1");
        assertThat(claims.unclaimedReceived(10)).containsExactly(ADA);

        new Claims(ledger, 300, new ClusterNode("node-b", 0)).releaseAll();
        assertThat(claims.unclaimedReceived(10)).as("node-b holds nothing").containsExactly(ADA);
        claims.releaseAll();
        assertThat(claims.unclaimedReceived(10)).containsExactlyInAnyOrder(ADA, grace);
    }

    @Test
    void aLapsedClaimPassesToAnotherNodeOnlyAfterTheLease() {
        admissions.receive(ADA, DONOR);
        claims.claim(ADA, "exchange-1", false);
        Claims other = new Claims(ledger("node-b"), 300, new ClusterNode("node-b", 0));

        assertThat(other.claim(ADA, "exchange-9", false)).isNull();
        clock.advance(Duration.ofSeconds(301));
        assertThat(other.claim(ADA, "exchange-9", false)).isNotNull();
        assertThat(claims.renew(List.of(ADA))).as("no longer node-a's").isZero();
    }

    @Test
    void aStateChangeRolledBackWithItsTransactionLeavesNoHistory() {
        admissions.receive(ADA, DONOR);
        Leases leases = new Leases(ledger, 300, new ClusterNode("node-a", 0));
        LedgerViews views = new LedgerViews(ledger);

        database.transactions().executeWithoutResult(status -> {
            ledger.markFailed(ADA, "transaction-submit answered HTTP 400");
            status.setRollbackOnly();
        });
        assertThat(ledger.entry(ADA).state()).as("rolled back with its transaction").isEqualTo(SyncState.RECEIVED);
        assertThat(ledger.history(ADA)).hasSize(1);
        assertThat(views.countsByState()).containsEntry(SyncState.RECEIVED, 1L);
        assertThat(leases.duePending(Duration.ZERO)).isEmpty();
    }
}
