package org.contactsync.preview;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.Admissions;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.virtuous.VirtuousRequest;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * One preview while it asks Virtuous: the delivery's donors as intake would take them, and what the organisation holds
 * for the ones intake would look up. It reads every Contact with Query pages (each Contact's contactReferences and
 * emails, 1000 a page) while the pages cost no more than one Find per donor to look up; otherwise, or when the Query
 * fails, it asks as the lookup does, a Find by reference and then by email. Lives in one exchange's variable.
 */
public class Preview {

    /** What intake and the lookup would do with one donor. */
    enum Outcome {
        LINK_BY_REFERENCE, LINK_BY_EMAIL, NEW, AMBIGUOUS, REJECTED, UNCHANGED, UPDATE, HELD_WHILE_PENDING;

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** One donor of the delivery; {@code lookedUp} for those whose Contact the preview asks Virtuous for. */
    static final class Row {
        final String origin;
        final ValidatedDonor validated;
        final Admissions.Foreseen foreseen;
        final String repeats;
        final Set<Long> byReference = new TreeSet<>();
        final Set<Long> byEmail = new TreeSet<>();

        Row(String origin, ValidatedDonor validated, Admissions.Foreseen foreseen, String repeats) {
            this.origin = origin;
            this.validated = validated;
            this.foreseen = foreseen;
            this.repeats = repeats;
        }

        boolean lookedUp() {
            return validated.isValid() && repeats == null && foreseen.admission().isSyncNeeded() && foreseen.contactId() == null;
        }

        /** The email as intake normalised it; a rejected donor's too, when it could be read. */
        String email() {
            return validated.getDonor().get("email") instanceof String email ? email : null;
        }
    }

    private final String origin;
    private final List<Row> rows = new ArrayList<>();
    private final Map<ReferencePair, Row> firstOf = new HashMap<>();
    private final Map<ReferencePair, Row> lookedUp = new LinkedHashMap<>();
    private final Map<String, List<Row>> byEmail = new HashMap<>();
    private final Deque<Map.Entry<VirtuousRequest, Row>> finds = new ArrayDeque<>();
    private int skip;
    private Long total;
    private int pages;
    private int queryRequests;
    private int findRequests;
    private long contactsRead;
    private String queryFailure;

    Preview(String origin) {
        this.origin = origin;
    }

    String origin() {
        return origin;
    }

    /** Adds the next donor of the delivery, as intake validated it and as the ledger would admit it (null when rejected). */
    void add(String donorOrigin, ValidatedDonor validated, Admissions.Foreseen foreseen) {
        Row earlier = validated.isValid() ? firstOf.get(validated.getReference()) : null;
        // intake records the first, then finds the same donor again unchanged
        String repeats = earlier != null && earlier.validated.getDonor().equals(validated.getDonor()) ? earlier.origin : null;
        Row row = new Row(donorOrigin, validated, foreseen, repeats);
        rows.add(row);
        if (validated.isValid()) {
            firstOf.putIfAbsent(validated.getReference(), row);
        }
        if (row.lookedUp()) {
            lookedUp.putIfAbsent(validated.getReference(), row);
            if (row.email() != null) {
                byEmail.computeIfAbsent(row.email(), email -> new ArrayList<>()).add(row);
            }
        }
    }

    int size() {
        return rows.size();
    }

    /** Whether the next Query page is worth a request: donors are to be looked up, and the pages left cost no more than a Find each. */
    public boolean hasNextPage() {
        if (lookedUp.isEmpty() || queryFailure != null) {
            return false;
        }
        if (total == null) {
            return true;
        }
        long pagesLeft = (total - skip + VirtuousRequests.QUERY_PAGE - 1) / VirtuousRequests.QUERY_PAGE;
        return pagesLeft > 0 && pagesLeft <= lookedUp.size();
    }

    /** The next Query page's request, counted. */
    public VirtuousRequest nextPage(VirtuousRequests requests) {
        queryRequests++;
        return requests.everyContact(skip);
    }

    /** One page's answer, {@code {"list": [...], "total": n}}: each Contact's references and emails matched to the donors. */
    public void read(Object answer) {
        if (!(answer instanceof Map<?, ?> page) || !(page.get("list") instanceof List<?> list)) {
            queryFailed(answer == null ? "no page in the answer (404 or an empty body)" : "an answer that is not a page of Contacts");
            return;
        }
        pages++;
        long before = skip;
        skip += VirtuousRequests.QUERY_PAGE;
        total = page.get("total") instanceof Number count ? count.longValue()
                : before + list.size() + (list.size() < VirtuousRequests.QUERY_PAGE ? 0 : 1);
        for (Object item : list) {
            if (item instanceof Map<?, ?> contact && contact.get("id") instanceof Number id) {
                contactsRead++;
                index(contact, id.longValue());
            }
        }
    }

    private void index(Map<?, ?> contact, long id) {
        if (contact.get("contactReferences") instanceof List<?> references) {
            for (Object reference : references) {
                if (reference instanceof Map<?, ?> pair && pair.get("source") != null && pair.get("id") != null) {
                    Row row = lookedUp.get(new ReferencePair(String.valueOf(pair.get("source")), String.valueOf(pair.get("id"))));
                    if (row != null) {
                        row.byReference.add(id);
                    }
                }
            }
        }
        for (String email : emails(contact)) {
            for (Row row : byEmail.getOrDefault(email, List.of())) {
                row.byEmail.add(id);
            }
        }
    }

    /** Every email of the Contact's individuals: a contact method whose value is an email address (its type is free text). */
    private static Set<String> emails(Map<?, ?> contact) {
        Set<String> emails = new LinkedHashSet<>();
        if (contact.get("contactIndividuals") instanceof List<?> individuals) {
            for (Object individual : individuals) {
                if (individual instanceof Map<?, ?> person && person.get("contactMethods") instanceof List<?> methods) {
                    for (Object method : methods) {
                        if (method instanceof Map<?, ?> m && m.get("value") instanceof String value && value.contains("@")) {
                            emails.add(value.strip().toLowerCase(Locale.ROOT));
                        }
                    }
                }
            }
        }
        return emails;
    }

    /** The Query could not be run or read: the donors are looked up by Finds instead. */
    public void queryFailed(String reason) {
        if (queryFailure == null) {
            queryFailure = reason;
        }
    }

    /** Whether Finds are needed: the Query failed, or its pages would cost more than the Finds. */
    public boolean needsFinds() {
        return !lookedUp.isEmpty() && (queryFailure != null || total == null || skip < total);
    }

    /** Queues each donor's Find by reference (once the Query is given up, its partial matches are dropped). */
    public void planFinds(VirtuousRequests requests) {
        for (Row row : lookedUp.values()) {
            row.byReference.clear();
            row.byEmail.clear();
            ReferencePair reference = row.validated.getReference();
            queue(requests.findByReference(reference.referenceSource(), reference.referenceId()), row);
        }
    }

    private void queue(VirtuousRequest request, Row row) {
        finds.add(Map.entry(request, row));
    }

    int donorsLookedUp() {
        return lookedUp.size();
    }

    public boolean hasNextFind() {
        return !finds.isEmpty();
    }

    public VirtuousRequest nextFind() {
        return finds.element().getKey();
    }

    /** A Find's answer (null for 404); a donor not found by reference is then looked for by email, as the lookup does. */
    public void found(Object contact, VirtuousRequests requests) {
        Map.Entry<VirtuousRequest, Row> find = finds.remove();
        findRequests++;
        VirtuousRequest request = find.getKey();
        Row row = find.getValue();
        Long id = contact instanceof Map<?, ?> found && found.get("id") instanceof Number number ? number.longValue() : null;
        boolean byReference = "find-by-reference".equals(request.operation());
        if (id != null) {
            (byReference ? row.byReference : row.byEmail).add(id);
        } else if (byReference && row.email() != null) {
            queue(requests.findByEmail(row.email()), row);
        }
    }

    /** The row whose matches the donor shares: the first of the delivery with its reference pair. */
    Row matchesOf(Row row) {
        return lookedUp.getOrDefault(row.validated.getReference(), row);
    }

    List<Row> rows() {
        return rows;
    }

    /** What the preview itself spent: its Query pages and Finds, and how it looked the donors up. */
    Map<String, Object> lookup(String lane) {
        Map<String, Object> lookup = new LinkedHashMap<>();
        lookup.put("method", findRequests > 0 ? (pages > 0 ? "query, then finds" : "finds") : pages > 0 ? "query" : "none");
        lookup.put("lane", lane);
        lookup.put("requests", queryRequests + findRequests);
        lookup.put("queryPages", pages);
        lookup.put("finds", findRequests);
        lookup.put("contactsRead", contactsRead);
        lookup.put("donorsLookedUp", lookedUp.size());
        if (queryFailure != null) {
            lookup.put("queryFailure", queryFailure);
        }
        return lookup;
    }

    /** Whether the ambiguity the Query can show (several Contacts for one email, reference and email on different ones) was looked for. */
    boolean sawEveryContact() {
        return pages > 0 && total != null && skip >= total && queryFailure == null;
    }
}
