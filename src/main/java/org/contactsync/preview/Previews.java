package org.contactsync.preview;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.contactsync.intake.DonorInput;
import org.contactsync.intake.DonorValidator;
import org.contactsync.intake.IntakeRefusedException;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.Admissions;
import org.contactsync.preview.Preview.Outcome;
import org.contactsync.preview.Preview.Row;
import org.contactsync.ratelimit.RateGovernor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Previews: what the bundle would do with a delivery, without doing any of it. Each donor is validated by intake's own
 * validator and admitted by the ledger's own rule without a write ({@link Admissions#foresee}), so a preview's rejects
 * and unchanged donors are exactly intake's; the Contacts come from Virtuous ({@link Preview}). The finished reports
 * are kept in memory as their JSON and CSV text (about 2.5 MB for 10,000 donors), the newest {@value #KEPT}, for the
 * downloads: a preview changes nothing stored.
 */
public class Previews {

    /** The lane of the rate governor a preview's requests wait in: after live donors, before bulk loads. */
    public static final String LANE = "poll";
    static final int KEPT = 10;
    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.preview");
    private static final List<String> CSV_COLUMNS = List.of("origin", "referenceSource", "referenceId", "email", "outcome", "contactIds", "reason");

    private final DonorValidator validator;
    private final Admissions admissions;
    private final RateGovernor governor;
    private final Clock clock;
    private final boolean emailMatchSubmits;
    private final int bulkThreshold;
    private final int batchSize;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Kept> reports = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            return size() > KEPT;
        }
    };

    /**
     * {@code emailMatch}: sync.email-match (associate or submit); {@code bulkThreshold}: sync.bulk.threshold;
     * {@code batchSize}: sync.batch.size.
     */
    public Previews(DonorValidator validator, Admissions admissions, RateGovernor governor, Clock clock, String emailMatch, int bulkThreshold,
            int batchSize) {
        this.validator = validator;
        this.admissions = admissions;
        this.governor = governor;
        this.clock = clock;
        this.emailMatchSubmits = "submit".equals(emailMatch);
        this.bulkThreshold = bulkThreshold;
        this.batchSize = batchSize;
    }

    /** The delivery's donors as intake would validate and admit them; nothing is written. */
    public Preview start(List<DonorInput> donors, String origin) {
        Preview preview = new Preview(origin);
        for (DonorInput input : donors) {
            ValidatedDonor validated = validator.validate(input);
            preview.add(input.origin(), validated, validated.isValid() ? admissions.foresee(validated.getReference(), validated.getDonor()) : null);
        }
        return preview;
    }

    /**
     * Before the Finds: refused (503, as a whole) when the budget does not allow at least one Find per donor now, rather
     * than hold the request for hours while the budget comes back.
     */
    public void requireBudgetForFinds(Preview preview) {
        int finds = preview.donorsLookedUp();
        Duration wait = governor.waitFor(finds);
        if (!wait.isZero()) {
            throw new IntakeRefusedException(503, "previewing these donors by Finds takes at least " + finds + " requests, which would wait about "
                    + (wait.toMinutes() + 1) + " min for the Virtuous budget: preview fewer donors at a time, or later");
        }
    }

    /** The report as JSON: each donor's outcome, the totals, what the preview cost and what the load would cost. Kept for its downloads. */
    public String finish(Preview preview) {
        Map<Outcome, Integer> totals = new EnumMap<>(Outcome.class);
        for (Outcome outcome : Outcome.values()) {
            totals.put(outcome, 0);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        int liveRequests = 0;
        Map<String, Integer> enlisted = new TreeMap<>();
        for (Row row : preview.rows()) {
            Verdict verdict = verdict(preview, row);
            totals.merge(verdict.outcome(), 1, Integer::sum);
            rows.add(verdict.toRow(row));
            liveRequests += verdict.liveRequests();
            if (verdict.batched()) {
                enlisted.merge(row.validated.getReference().referenceSource(), 1, Integer::sum);
            }
        }
        boolean bulk = preview.size() > bulkThreshold;
        int batches = enlisted.values().stream().mapToInt(count -> (count + batchSize - 1) / batchSize).sum();
        int updates = totals.get(Outcome.UPDATE) * 2;
        int requests = bulk ? batches + updates : liveRequests;
        Duration wait = governor.waitFor(requests);

        Map<String, Object> load = new LinkedHashMap<>();
        load.put("path", bulk ? "bulk" : "live");
        load.put("requests", requests);
        load.put("waitSeconds", wait.toSeconds());
        load.put("ourSharePerHour", governor.status().get("ourShare"));
        load.put("detail", bulk
                ? batches + " Batch request(s) of up to " + batchSize + " donors" + (updates > 0 ? ", and a GET and a PUT for each of the "
                        + totals.get(Outcome.UPDATE) + " update(s)" : "") + "; no Find: Virtuous's import matches each donor"
                : "a Find by reference for each donor looked up, a Find by email when none is found by reference and it has an email, "
                        + "a Transaction for each new donor, a GET and a PUT for each update");

        Map<String, Object> counts = new LinkedHashMap<>();
        totals.forEach((outcome, count) -> counts.put(camel(outcome), count));
        Map<String, Object> report = new LinkedHashMap<>();
        String id = UUID.randomUUID().toString();
        report.put("id", id);
        report.put("createdAt", OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).toString());
        report.put("origin", preview.origin());
        report.put("donors", preview.size());
        report.put("totals", counts);
        report.put("lookup", preview.lookup(LANE));
        report.put("load", load);
        report.put("rows", rows);
        Kept kept = new Kept(write(report), csv(rows));
        synchronized (reports) {
            reports.put(id, kept);
        }
        LOG.info("preview {} ({}): {} donors: {}; it cost {} request(s); the load would cost {} and wait {}s for budget", id,
                preview.origin(), preview.size(), counts, preview.lookup(LANE).get("requests"), requests, wait.toSeconds());
        return kept.json();
    }

    private String write(Map<String, Object> report) {
        try {
            return json.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a preview's report is maps, lists, text and numbers", e);
        }
    }

    /** A kept report's JSON; NoSuchElementException (404) for an id unknown or no longer kept. */
    public String report(String id) {
        return kept(id).json();
    }

    /** A kept report's rows as CSV, one line per donor, with a header row. */
    public String csv(String id) {
        return kept(id).csv();
    }

    private Kept kept(String id) {
        synchronized (reports) {
            Kept kept = reports.get(id);
            if (kept == null) {
                throw new NoSuchElementException("no preview " + id + " here: this node keeps its newest " + KEPT + " previews until it stops");
            }
            return kept;
        }
    }

    private static String csv(List<Map<String, Object>> rows) {
        StringWriter text = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(text, CSVFormat.DEFAULT.builder().setHeader(CSV_COLUMNS.toArray(String[]::new)).build())) {
            for (Map<String, Object> row : rows) {
                List<String> cells = new ArrayList<>();
                for (String column : CSV_COLUMNS) {
                    Object value = row.get(column);
                    cells.add(cell(value instanceof List<?> ids ? ids.stream().map(String::valueOf).collect(Collectors.joining(";"))
                            : value == null ? "" : value.toString()));
                }
                printer.printRecord(cells);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** A donor's value opened in a spreadsheet must not run as a formula (OWASP CSV injection): such a cell starts with '. */
    private static String cell(String value) {
        return !value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
    }

    private Verdict verdict(Preview preview, Row row) {
        if (!row.validated.isValid()) {
            return new Verdict(Outcome.REJECTED, Set.of(), row.validated.getReason(), 0, false);
        }
        if (row.repeats != null) {
            return new Verdict(Outcome.UNCHANGED, Set.of(), "the same donor as " + row.repeats, 0, false);
        }
        Admissions.Foreseen foreseen = row.foreseen;
        if (foreseen.admission() == Admission.UNCHANGED) {
            return new Verdict(Outcome.UNCHANGED, contact(foreseen), "in the ledger, " + foreseen.state() + ", with the same data", 0, false);
        }
        if (foreseen.admission() == Admission.HELD_WHILE_PENDING) {
            return new Verdict(Outcome.HELD_WHILE_PENDING, Set.of(), "PENDING in Virtuous's import: the change is applied once it is SYNCED", 0, false);
        }
        if (foreseen.contactId() != null) {
            return new Verdict(Outcome.UPDATE, contact(foreseen), "linked to Contact " + foreseen.contactId()
                    + " in the ledger: its changes go out as an update (GET, then PUT)", 2, false);
        }
        Row matches = preview.matchesOf(row);
        Set<Long> byReference = matches.byReference;
        Set<Long> byEmail = matches.byEmail;
        boolean hasEmail = row.email() != null;
        if (byReference.size() > 1) {
            return new Verdict(Outcome.AMBIGUOUS, byReference, "its reference pair is on Contacts " + list(byReference)
                    + ": the Find by reference links one of them", 1, true);
        }
        if (byReference.size() == 1) {
            Set<Long> elsewhere = new TreeSet<>(byEmail);
            elsewhere.removeAll(byReference);
            if (!elsewhere.isEmpty() && !byEmail.containsAll(byReference)) {
                Set<Long> both = new TreeSet<>(byReference);
                both.addAll(elsewhere);
                return new Verdict(Outcome.AMBIGUOUS, both, "its reference pair is on Contact " + list(byReference) + ", its email on Contact "
                        + list(elsewhere) + ": linked by reference to " + list(byReference), 1, true);
            }
            return new Verdict(Outcome.LINK_BY_REFERENCE, byReference, null, 1, true);
        }
        int findsAndSubmit = hasEmail ? 3 : 2;
        if (!byEmail.isEmpty() && emailMatchSubmits) {
            return new Verdict(Outcome.NEW, Set.of(), "its email is on Contact " + list(byEmail)
                    + "; with sync.email-match=submit it is submitted as a different donor", findsAndSubmit, true);
        }
        if (byEmail.size() > 1) {
            return new Verdict(Outcome.AMBIGUOUS, byEmail, "its email is on Contacts " + list(byEmail) + ": the Find by email links one of them", 2, true);
        }
        if (byEmail.size() == 1) {
            return new Verdict(Outcome.LINK_BY_EMAIL, byEmail, null, 2, true);
        }
        return new Verdict(Outcome.NEW, Set.of(), null, findsAndSubmit, true);
    }

    private static Set<Long> contact(Admissions.Foreseen foreseen) {
        return foreseen.contactId() == null ? Set.of() : Set.of(foreseen.contactId());
    }

    private static String list(Set<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static String camel(Outcome outcome) {
        String[] words = outcome.label().split("-");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }

    /** A finished report, as its two downloads. */
    private record Kept(String json, String csv) {
    }

    /**
     * One donor's outcome: the Contacts it concerns, why, the requests the live path would spend on it, and whether a bulk
     * load would send it in a Batch.
     */
    private record Verdict(Outcome outcome, Set<Long> contactIds, String reason, int liveRequests, boolean batched) {

        Map<String, Object> toRow(Row row) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("origin", row.origin);
            if (row.validated.getReference() != null) {
                json.put("referenceSource", row.validated.getReference().referenceSource());
                json.put("referenceId", row.validated.getReference().referenceId());
            }
            json.put("email", row.email());
            json.put("outcome", outcome.label());
            json.put("contactIds", List.copyOf(new TreeSet<>(contactIds)));
            json.put("reason", reason);
            json.values().removeIf(Objects::isNull);
            return json;
        }
    }
}
