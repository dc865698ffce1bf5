package org.contactsync.poll;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;

/**
 * Reconciliation at scale: when many PENDING donors are due, one {@code POST /api/Contact/Query/FullContact} page
 * (up to 1000 Contacts modified since the oldest due submit) answers for all of them, where polling by reference costs
 * one GET each. The GETs remain for what the Query leaves unsettled, and for runs with few donors due.
 */
public class PendingQuery {

    private final PendingPolicy policy;
    private final Duration overlap;
    private final int queryMin;
    private final BooleanSupplier queryUsable;

    /**
     * @param overlap     how much earlier than the oldest submit the Query looks, for the difference between our clock and
     *                    Virtuous's ({@code 1h}, {@code 90m}, {@code PT1H})
     * @param queryMin    the fewest due donors worth a Query
     * @param queryUsable false while the organisation has no condition of the Query's (the drift guard): the GETs go alone
     */
    public PendingQuery(PendingPolicy policy, Duration overlap, int queryMin, BooleanSupplier queryUsable) {
        this.queryUsable = queryUsable;
        this.policy = policy;
        this.overlap = overlap;
        this.queryMin = queryMin;
    }

    /** This run's Query, or null when fewer than {@code sync.poll.query-min} donors are due: the GETs cost no more then. */
    public QueryScan plan() {
        Map<ReferencePair, OffsetDateTime> due = policy.due();
        return due.isEmpty() || due.size() < queryMin || !queryUsable.getAsBoolean() ? null : scanOf(due);
    }

    /**
     * A Query for {@code events} stored webhook events whose Contacts would each cost a GET: with
     * {@code sync.poll.query-min} or more, the pages of Contacts modified since the oldest PENDING submit settle the
     * PENDING donors they name, and show which of the events' Contacts hold none (as after a nightly import whose
     * events carry no references). Null for fewer events, or when no donor is PENDING.
     */
    public QueryScan planForEvents(int events) {
        Map<ReferencePair, OffsetDateTime> pending = policy.pending();
        return events < queryMin || pending.isEmpty() || !queryUsable.getAsBoolean() ? null : scanOf(pending);
    }

    private QueryScan scanOf(Map<ReferencePair, OffsetDateTime> donors) {
        return new QueryScan(donors.keySet(), Collections.min(donors.values()).toInstant().minus(overlap));
    }

    /** One page's confirmations, for the resolution aggregator; see {@link QueryScan#read}. */
    public List<Map<String, Object>> read(QueryScan scan, Object page) {
        return scan.read(page);
    }

    public void failed(QueryScan scan, String reason) {
        scan.markFailed(reason);
    }

    /**
     * The claimed donors that still need a GET by reference: after a complete scan only those past the deadline (the
     * last check before the dead letter, which also finds a Contact the import matched without changing it); after a
     * scan that stopped early or failed, every one it did not settle.
     */
    public List<LedgerEntry> needingGets(QueryScan scan) {
        return policy.claimDue().stream().filter(entry -> scan.isUnsettled(entry.getReference())
                && (!scan.isComplete() || policy.isPastDeadline(entry))).toList();
    }
}
