package org.contactsync.bulk;

import java.nio.file.Path;
import java.util.Map;

import org.contactsync.ledger.Admissions;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.Leases;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Bulk loads on a real H2 file database: chunks only from a ready load, one referenceSource each, claimed once. */
class BulkLoadsTest {

    @TempDir
    Path directory;

    private final TestClock clock = new TestClock();
    private SyncDatabase database;
    private SyncLedger ledger;
    private BulkLoads loads;

    @BeforeEach
    void open() throws Exception {
        database = new SyncDatabase("jdbc:h2:file:" + directory.resolve("db").toAbsolutePath(), "sa", "", 2, 5000);
        database.migrate();
        ClusterNode node = new ClusterNode("n", 0);
        ledger = new SyncLedger(database, clock, node, 300);
        loads = new BulkLoads(database, new Leases(ledger, 300, node), new RateGovernor(clock, 5000, 0.25, 250, () -> 1), clock, 2);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void chunksComeOnlyFromAReadyLoadOneReferenceSourceEachAndAreClaimedOnce() {
        long load = loads.open("file.csv", 3);
        for (String id : new String[] {"b-1", "b-2"}) {
            receiveAndEnlist(load, new ReferencePair("Shop", id));
        }
        receiveAndEnlist(load, new ReferencePair("Events", "e-1"));
        assertThat(loads.nextChunk("worker").isEmpty()).as("not ready while intake records it").isTrue();

        loads.ready(load);
        BulkChunk first = loads.nextChunk("worker");
        assertThat(first.referenceSource()).isEqualTo("Shop");
        assertThat(first.donors()).extracting(LedgerEntry::referenceId).containsExactly("b-1", "b-2");
        BulkChunk second = loads.nextChunk("another worker");
        assertThat(second.donors()).extracting(LedgerEntry::referenceId).as("the first chunk is claimed").containsExactly("e-1");
        assertThat(loads.nextChunk("a third").isEmpty()).isTrue();
    }

    @Test
    void aDonorTheLedgerLinksStaysOnTheLivePathAndAnInterruptedLoadIsReadiedAtStart() {
        long load = loads.open("file.csv", 1);
        ReferencePair known = new ReferencePair("Shop", "k-1");
        new Admissions(ledger).receive(known, Map.of("referenceId", "k-1", "name", "Known"));
        ledger.markSynced(known, 7, "found-by-reference", Map.of());
        assertThat(loads.enlist(load, known)).as("a SYNCED donor is not RECEIVED").isFalse();
        assertThat(loads.enlist(null, known)).as("no load: the live path").isFalse();

        receiveAndEnlist(load, new ReferencePair("Shop", "i-1"));
        loads.recover();
        assertThat(loads.nextChunk("worker").donors()).extracting(LedgerEntry::referenceId).containsExactly("i-1");
    }

    private void receiveAndEnlist(long load, ReferencePair reference) {
        new Admissions(ledger).receive(reference, Map.of("referenceSource", reference.referenceSource(), "referenceId", reference.referenceId(),
                "name", "Donor " + reference.referenceId()));
        assertThat(loads.enlist(load, reference)).isTrue();
    }
}
