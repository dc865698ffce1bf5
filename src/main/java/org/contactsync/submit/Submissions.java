package org.contactsync.submit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.resolution.ResolutionJoin;
import org.contactsync.virtuous.UnansweredRequestException;
import org.contactsync.virtuous.VirtuousRequest;
import org.contactsync.virtuous.VirtuousRequests;
import org.springframework.dao.PessimisticLockingFailureException;

/**
 * Submits that are never sent twice. A Contact Transaction or Batch marks its donors SENT in the ledger, committed,
 * right before the request leaves (once the access gate and the rate governor let it go, so a donor waiting for budget
 * is not marked), and only the exchange holding the donors' claims may mark them. What happens next settles the mark:
 * <ul>
 *   <li>200: the donors are ACCEPTED, and join the resolution aggregator as submissions;</li>
 *   <li>an answer that proves Virtuous did not take it (a 4xx refusal, 503, a connection never made): a Transaction's
 *       donor goes to the dead letter or is retried as the error policy says; a refused Batch's donors go back to
 *       RECEIVED, still claimed, and are each sent alone;</li>
 *   <li>no answer that says (a timeout or reset after the request left, a 500, 502 or 504), or a crash of the bundle at
 *       any point after the mark: the donors stay PENDING and SENT. Their webhook or the poll resolves them if Virtuous
 *       took them; only if Virtuous has no Contact for them at the pending deadline are they submitted again.</li>
 * </ul>
 * The one window left is a crash between the mark's commit and the request leaving: such a donor was never sent, and
 * waits for the deadline (sync.pending.deadline) before it is submitted; it is never lost and never sent twice.
 */
public class Submissions {

    static final String TRANSACTION = "Contact Transaction";
    static final String BATCH = "Contact Batch";

    private final SyncDatabase database;
    private final SyncLedger ledger;
    private final VirtuousRequests requests;

    public Submissions(SyncDatabase database, SyncLedger ledger, VirtuousRequests requests) {
        this.database = database;
        this.ledger = ledger;
        this.requests = requests;
    }

    /** The Contact Transaction for a donor the exchange {@code claimedFor} holds. */
    public VirtuousRequest transaction(LedgerEntry entry, String claimedFor) {
        return requests.submitTransaction(new Marking(TRANSACTION, List.of(entry), claimedFor, null));
    }

    /** The Contact Batch for a bulk chunk the exchange {@code claimedFor} holds: one referenceSource for all its items. */
    public VirtuousRequest batch(BulkChunk chunk, String claimedFor) {
        return requests.submitBatch(new Marking(BATCH, chunk.donors(), claimedFor, chunk.referenceSource()));
    }

    /**
     * Virtuous answered 200: the donors are held for its import. Returns the aggregator's submission for each donor still
     * PENDING (a webhook may have resolved one already), all marked ACCEPTED in one transaction.
     */
    public List<Map<String, Object>> accepted(VirtuousRequest request) {
        Marking marking = marking(request);
        List<Map<String, Object>> submissions = new ArrayList<>();
        database.transactions().executeWithoutResult(status -> {
            for (LedgerEntry entry : marking.marked) {
                if (ledger.markAccepted(entry.getReference())) {
                    submissions.add(ResolutionJoin.submission(entry.getReference()));
                }
            }
        });
        return submissions;
    }

    /** No answer says whether Virtuous took the submit: its donors stay PENDING and SENT, with the reason in their history. */
    public void unanswered(VirtuousRequest request, UnansweredRequestException failure) {
        if (request == null || !(request.submit() instanceof Marking marking)) {
            return;
        }
        database.transactions().executeWithoutResult(status -> marking.marked
                .forEach(entry -> ledger.markUnanswered(entry.getReference(), marking.kind, failure.getFailure())));
    }

    /**
     * Virtuous refused the Batch as a whole (a 4xx): it took none of it. Its donors go back to RECEIVED under the same
     * claim, in one transaction, and are returned for sending one by one.
     */
    public List<LedgerEntry> refused(VirtuousRequest request, String why) {
        Marking marking = marking(request);
        List<LedgerEntry> back = new ArrayList<>();
        database.transactions().executeWithoutResult(status -> {
            for (LedgerEntry entry : marking.marked) {
                if (ledger.unsend(entry.getReference(), marking.claimedFor, "Contact Batch refused (" + why + "): sent alone")) {
                    back.add(entry);
                }
            }
        });
        return back;
    }

    /** The donors the submit marked SENT: those its failure concerns. */
    public List<LedgerEntry> marked(VirtuousRequest request) {
        return List.copyOf(marking(request).marked);
    }

    private static Marking marking(VirtuousRequest request) {
        return (Marking) request.submit();
    }

    /**
     * One submit's marking. Stateful: the request is sent again after a 429 or a refused key (neither taken by Virtuous),
     * and then carries the donors it marked the first time, marking none anew.
     */
    private final class Marking implements VirtuousRequest.Submit {

        /** How often marks the database rolled back as a deadlock's victim are made again before the error stands. */
        private static final int MARK_ATTEMPTS = 3;

        private final String kind;
        private final List<LedgerEntry> donors;
        private final String claimedFor;
        /** The Batch's referenceSource; null for a Transaction. */
        private final String batchSource;
        private final List<LedgerEntry> marked = new ArrayList<>();
        private boolean done;

        Marking(String kind, List<LedgerEntry> donors, String claimedFor, String batchSource) {
            this.kind = kind;
            this.donors = donors;
            this.claimedFor = claimedFor;
            this.batchSource = batchSource;
        }

        @Override
        public Object mark() {
            for (int attempt = 1; !done; attempt++) {
                marked.clear();
                try {
                    database.transactions().executeWithoutResult(status -> {
                        for (LedgerEntry entry : donors) {
                            ReferencePair reference = entry.getReference();
                            if (ledger.markSending(reference, claimedFor, DonorChanges.transactionPayload(entry.donor()), kind)) {
                                marked.add(entry);
                            }
                        }
                    });
                    done = true;
                } catch (PessimisticLockingFailureException deadlock) {
                    // the database chose these marks as a deadlock's victim and rolled them all back: nothing was sent, so
                    // they are made again, rather than the chunk's donors failing for another transaction's locks
                    if (attempt == MARK_ATTEMPTS) {
                        throw deadlock;
                    }
                }
            }
            if (marked.isEmpty()) {
                return null;
            }
            if (batchSource == null) {
                return DonorChanges.transactionPayload(marked.get(0).donor());
            }
            Map<String, Object> batch = new LinkedHashMap<>();
            batch.put("referenceSource", batchSource);
            batch.put("contacts", marked.stream().map(entry -> {
                Map<String, Object> item = DonorChanges.transactionPayload(entry.donor());
                item.remove("referenceSource");
                return item;
            }).toList());
            return batch;
        }
    }
}
