package org.contactsync.poll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.contactsync.ledger.ReferencePair;
import org.contactsync.resolution.ResolutionJoin;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * One poll run's Contact Query: pages of full Contacts modified since the oldest due submit, whose contactReferences
 * settle the due donors they name. It reads another page only while that costs less than asking for each donor still
 * unsettled by reference, so a busy organisation (many Contacts modified since) falls back to the GETs by itself.
 * Lives in one exchange's variable, never stored.
 */
public class QueryScan {

    private final Set<ReferencePair> unsettled;
    private final Set<Long> seen = new HashSet<>();
    private final Map<ReferencePair, Long> shown = new LinkedHashMap<>();
    private final int due;
    private final Instant since;
    private int skip;
    private Long total;
    private int requests;
    private String failure;

    QueryScan(Collection<ReferencePair> due, Instant since) {
        this.unsettled = new LinkedHashSet<>(due);
        this.due = due.size();
        this.since = since;
    }

    public Instant getSince() {
        return since;
    }

    public int getSkip() {
        return skip;
    }

    /** Whether the next page is worth a request: a due donor is unsettled, the Query has more, and fewer pages are left than unsettled donors. */
    public boolean hasNextPage() {
        if (failure != null || unsettled.isEmpty()) {
            return false;
        }
        if (total == null) {
            return true;
        }
        long pagesLeft = (total - skip + VirtuousRequests.QUERY_PAGE - 1) / VirtuousRequests.QUERY_PAGE;
        return pagesLeft > 0 && pagesLeft < unsettled.size();
    }

    /**
     * One page's answer ({@code {"list": [...], "total": n}}): a poll-query confirmation for each due donor a Contact in
     * it holds. Anything else (no body, as a 404 or an empty answer has none; a body without a list) is no page: the
     * Query failed, and the donors it has not settled are polled by reference.
     */
    public List<Map<String, Object>> read(Object answer) {
        if (!(answer instanceof Map<?, ?> page) || !(page.get("list") instanceof List<?> list)) {
            markFailed(answer == null ? "no page in the answer (404 or an empty body)" : "an answer that is not a page of Contacts");
            return List.of();
        }
        requests++;
        long before = skip;
        skip += VirtuousRequests.QUERY_PAGE;
        // without a total, a short page is the last one, a full page may have more behind it
        total = page.get("total") instanceof Number count ? count.longValue()
                : before + list.size() + (list.size() < VirtuousRequests.QUERY_PAGE ? 0 : 1);
        List<Map<String, Object>> confirmations = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> contact) || !(contact.get("id") instanceof Number contactId)) {
                continue;
            }
            seen.add(contactId.longValue());
            if (!(contact.get("contactReferences") instanceof List<?> references)) {
                continue;
            }
            for (Object reference : references) {
                if (!(reference instanceof Map<?, ?> pair) || pair.get("source") == null || pair.get("id") == null) {
                    continue;
                }
                ReferencePair named = new ReferencePair(String.valueOf(pair.get("source")), String.valueOf(pair.get("id")));
                shown.put(named, contactId.longValue());
                if (unsettled.remove(named)) {
                    confirmations.add(ResolutionJoin.confirmation(named, contactId.longValue(), "poll-query", null));
                }
            }
        }
        return confirmations;
    }

    /** Whether the Query could not be run, or answered with something that is not a page: its due donors get GETs. */
    public boolean isFailed() {
        return failure != null;
    }

    public String getFailure() {
        return failure;
    }

    /**
     * The Query could not be run (Virtuous down, an organisation without that endpoint, or whose query condition is named
     * otherwise): the first failure of a run is the one reported.
     */
    public void markFailed(String reason) {
        requests++;
        if (failure == null) {
            failure = reason;
        }
    }

    /**
     * Every page was read: a due donor still unsettled has no Contact modified since its submit, which a GET by
     * reference would answer with 404 too.
     */
    public boolean isComplete() {
        return failure == null && (unsettled.isEmpty() || total != null && skip >= total);
    }

    /**
     * Every reference pair the pages showed, with the Contact holding it: where the ledger has one SYNCED to another
     * Contact, a merge may have moved it (the survivor is modified by the merge, so the Query shows it).
     */
    public Map<ReferencePair, Long> getShown() {
        return shown;
    }

    /** Whether a page showed this Contact, with whatever references it holds. */
    public boolean hasSeen(long contactId) {
        return seen.contains(contactId);
    }

    public boolean isUnsettled(ReferencePair reference) {
        return unsettled.contains(reference);
    }

    @Override
    public String toString() {
        String outcome = isComplete() ? "every page read" : failure != null ? "failed: " + failure : "stopped, GETs cost less than the pages left";
        return "Contact Query settled " + (due - unsettled.size()) + " of " + due + " due donor(s) in " + requests + " request(s) ("
                + outcome + ")";
    }
}
