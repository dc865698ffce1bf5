package org.contactsync.resolution;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.contactsync.ledger.GroupCommit;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;

/**
 * The resolution aggregator's strategy, one group per reference pair. Two kinds of message meet there: a submission
 * (the donor just went PENDING) and a confirmation (a webhook or the poll says which Contact holds the pair). The group
 * completes once it holds a confirmation the ledger {@link #awaits} (the strategy says so to the aggregator), so an event
 * that arrives before its submission is recorded waits for it, and repeated or out-of-order events collapse into one.
 * A submission with no group completes at once, changing nothing: the ledger's PENDING row is what a later confirmation
 * completes against, so only an early confirmation is ever held (see {@link ResolutionRepository#add}), and a webhook for
 * a donor already PENDING costs no repository write. Messages are plain maps so the JDBC repository can store them with
 * Java serialization of JDK types only.
 */
public class ResolutionJoin implements AggregationStrategy {

    private static final String CONTACT_ID = "contactId";
    private static final String RESOLVED_BY = "resolvedBy";
    private static final String MERGED_FROM = "mergedFrom";

    private final SyncLedger ledger;
    private final GroupCommit groupCommit;

    public ResolutionJoin(SyncLedger ledger, GroupCommit groupCommit) {
        this.ledger = ledger;
        this.groupCommit = groupCommit;
    }

    public static Map<String, Object> submission(ReferencePair reference) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("referenceSource", reference.referenceSource());
        message.put("referenceId", reference.referenceId());
        return message;
    }

    /**
     * {@code mergedFrom}: the Contact a person merged into {@code contactId} (null when the event reports no merge); the
     * survivor wins over any earlier event, and the donor's history names the merge.
     */
    public static Map<String, Object> confirmation(ReferencePair reference, long contactId, String resolvedBy, Long mergedFrom) {
        Map<String, Object> message = submission(reference);
        message.put(CONTACT_ID, contactId);
        message.put(RESOLVED_BY, resolvedBy);
        if (mergedFrom != null) {
            message.put(MERGED_FROM, mergedFrom);
        }
        return message;
    }

    /** Joins the message into its group, and completes the group once the ledger awaits the Contact it names. */
    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange group, Exchange message) {
        Exchange joined = group == null ? message : group;
        if (group != null) {
            Map<String, Object> held = group.getMessage().getBody(Map.class);
            Map<String, Object> arriving = message.getMessage().getBody(Map.class);
            // the first event names the Contact (a create and its updates agree on it); only a merge re-points it
            if (arriving.containsKey(CONTACT_ID) && (!held.containsKey(CONTACT_ID) || arriving.get(MERGED_FROM) != null)) {
                Map<String, Object> combined = new LinkedHashMap<>(held);
                combined.put(CONTACT_ID, arriving.get(CONTACT_ID));
                combined.put(RESOLVED_BY, arriving.get(RESOLVED_BY));
                combined.remove(MERGED_FROM);
                if (arriving.get(MERGED_FROM) != null) {
                    combined.put(MERGED_FROM, arriving.get(MERGED_FROM));
                }
                group.getMessage().setBody(combined);
            }
        }
        if (isComplete(joined.getMessage().getBody(Map.class))) {
            joined.setProperty(Exchange.AGGREGATION_COMPLETE_CURRENT_GROUP, true);
        }
        return joined;
    }

    private boolean isComplete(Map<String, Object> group) {
        return !group.containsKey(CONTACT_ID) || awaits(ledger.entry(reference(group)));
    }

    /**
     * Whether the ledger row waits for a confirmation: PENDING, or FAILED (its deadline passed, Virtuous resolved it
     * after all). A SYNCED row follows a merge through {@link SyncLedger#repoint}, never through an event naming another
     * Contact: that could be a second Contact holding our reference, which a person must look at. The webhook receiver
     * asks too, so events that change nothing never enter the aggregator.
     */
    public static boolean awaits(LedgerEntry entry) {
        return entry != null && (entry.state() == SyncState.PENDING || entry.state() == SyncState.FAILED);
    }

    /**
     * Records a completed group in the ledger; a group that never received a confirmation changes nothing. Returns
     * the donor's reference pair when a change made while it was PENDING is now to be sent as an update, else null.
     * Both writes share the group commit with the other writers of the moment (admissions, held events) rather than
     * take a commit of their own.
     */
    public ReferencePair complete(Map<String, Object> group) {
        ReferencePair reference = reference(group);
        if (group.get(CONTACT_ID) instanceof Number contactId) {
            return groupCommit.execute(() -> {
                ledger.resolve(reference, contactId.longValue(), (String) group.get(RESOLVED_BY),
                        group.get(MERGED_FROM) instanceof Number mergedFrom ? mergedFrom.longValue() : null);
                return ledger.reopenIfChanged(reference) ? reference : null;
            });
        }
        return null;
    }

    static ReferencePair reference(Map<String, Object> group) {
        return new ReferencePair((String) group.get("referenceSource"), (String) group.get("referenceId"));
    }
}
