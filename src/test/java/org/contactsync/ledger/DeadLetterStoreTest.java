package org.contactsync.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.NoSuchElementException;

import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dead letters on a real H2 file database: each with its donor's FAILED state, one open letter a donor, closed once. */
class DeadLetterStoreTest {

    private static final ReferencePair ADA = new ReferencePair("P", "ada");

    @TempDir
    Path directory;

    private SyncDatabase database;
    private SyncLedger ledger;
    private DeadLetterStore letters;
    private TestClock clock;

    @BeforeEach
    void open() throws Exception {
        database = new SyncDatabase("jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(), "sa", "", 2, 5000);
        database.migrate();
        clock = new TestClock();
        ledger = new SyncLedger(database, clock, new ClusterNode("n", 0), 300);
        letters = new DeadLetterStore(database, ledger, clock);
        new Admissions(ledger).receive(ADA, Map.of("referenceId", "ada", "firstName", "Ada", "lastName", "L"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aFailedDonorsLetterAndItsFailedStateAreOneChange() {
        letters.storeFailed(ledger.entry(ADA), "transaction-submit", "transaction-submit answered HTTP 400: invalid", 400, "invalid", 3);

        DeadLetter letter = letters.list(10).get(0);
        assertThat(letter.stage()).isEqualTo("transaction-submit");
        assertThat(letter.httpStatus()).isEqualTo(400);
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.history()).extracting(step -> step.get("state")).containsExactly("RECEIVED", "FAILED");
        assertThat(ledger.entry(ADA).state()).isEqualTo(SyncState.FAILED);
        assertThat(ledger.entry(ADA).lastError()).contains("HTTP 400");
    }

    @Test
    void aRejectedDonorWithoutAReferencePairIsKeptAsItArrived() {
        letters.storeRejected(null, "referenceId: required", "{\"firstName\":\"Nobody\"}", "{\"firstName\":\"Nobody\"}");

        assertThat(letters.countOpen()).isEqualTo(1);
        assertThat(letters.list(10).get(0).originalInput()).isEqualTo("{\"firstName\":\"Nobody\"}");
        assertThat(ledger.entry(ADA).state()).as("another donor's row is untouched").isEqualTo(SyncState.RECEIVED);
    }

    @Test
    void aDonorHasOneOpenLetterAndANewerDeliverySupersedesIt() {
        letters.storeRejected(ADA, "email: bad", "raw 1", null);
        letters.storeRejected(ADA, "email: still bad", "raw 2", null);
        assertThat(letters.open(null)).hasSize(1).first().satisfies(letter -> assertThat(letter).containsEntry("reason", "email: still bad"));

        clock.advance(Duration.ofSeconds(1));
        OffsetDateTime recorded = letters.now();
        letters.supersede(ADA, Admission.UNCHANGED, "POST /donors", recorded);
        assertThat(letters.countOpen()).as("an unchanged delivery is no fresh attempt").isEqualTo(1);
        letters.supersede(ADA, Admission.RETRY, "POST /donors", recorded);
        assertThat(letters.countOpen()).isZero();

        // the fresh attempt failed before intake came to supersede: its own letter stays open
        clock.advance(Duration.ofSeconds(1));
        recorded = letters.now();
        clock.advance(Duration.ofMillis(5));
        letters.storeRejected(ADA, "email: bad again", "raw 3", null);
        letters.supersede(ADA, Admission.RETRY, "POST /donors", recorded);
        assertThat(letters.open(null)).hasSize(1).first().satisfies(letter -> assertThat(letter).containsEntry("reason", "email: bad again"));
    }

    @Test
    void aLetterIsClosedOnceAndTheDiscardsReasonReachesTheLedger() {
        letters.storeFailed(ledger.entry(ADA), "contact-update", "ContactUpdateException: gone", null, null, 1);
        long id = letters.list(1).get(0).id();

        assertThatThrownBy(() -> letters.discard(id, " ")).isInstanceOf(IllegalArgumentException.class);
        letters.discard(id, "merged by hand in Virtuous");
        assertThat(ledger.entry(ADA).lastError()).isEqualTo("dead letter discarded: merged by hand in Virtuous");
        assertThatThrownBy(() -> letters.discard(id, "again")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> letters.openLetter(id)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> letters.openLetter(id + 100)).isInstanceOf(NoSuchElementException.class);
    }
}
