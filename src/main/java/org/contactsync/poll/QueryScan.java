package org.contactsync.poll;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
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

    /** One page's answer ({@code {"list": [...], "total": n}}): a poll-query confirmation for each due donor a Contact in it holds. */
    public List<Map<String, Object>> read(Map<String, Object> page) {
        requests++;
        skip += VirtuousRequests.QUERY_PAGE;
        total = page == null ? 0L : ((Number) page.getOrDefault("total", 0)).longValue();
        List<Map<String, Object>> confirmations = new ArrayList<>();
        for (Object item : page == null ? List.of() : (List<?>) page.getOrDefault("list", List.of())) {
            Map<?, ?> contact = (Map<?, ?>) item;
            if (!(contact.get("id") instanceof Number contactId)) {
                continue;
            }
            seen.add(contactId.longValue());
            if (!(contact.get("contactReferences") instanceof List<?> references)) {
                continue;
            }
            for (Object reference : references) {
                Map<?, ?> pair = (Map<?, ?>) reference;
                ReferencePair named = new ReferencePair(String.valueOf(pair.get("source")), String.valueOf(pair.get("id")));
                if (unsettled.remove(named)) {
                    confirmations.add(ResolutionJoin.confirmation(named, contactId.longValue(), "poll-query", false));
                }
            }
        }
        return confirmations;
    }

    /** The Query could not be run (Virtuous down, or an organisation whose query condition is named otherwise). */
    public void failed(String reason) {
        requests++;
        failure = reason;
    }

    /**
     * Every page was read: a due donor still unsettled has no Contact modified since its submit, which a GET by
     * reference would answer with 404 too.
     */
    public boolean isComplete() {
        return failure == null && (unsettled.isEmpty() || total != null && skip >= total);
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
