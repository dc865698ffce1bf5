package org.contactsync;

import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.sandbox.RecordedRequest;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A preview against a sandbox seeded so that every outcome's count is known: 1,160 Contacts (two Query pages), and a
 * 1,000-donor CSV file in which 20 donors are already in the ledger unchanged, 230 more meet a Contact by their
 * reference pair, 150 by their email, 20 have an email two Contacts share, 10 a reference pair on one Contact and their email on
 * another, 50 are invalid (intake's own reasons), and 520 are new. The preview reports exactly those, costs the two
 * requests the README and docs/operations.md say (one per 1,000 Contacts, in the poll lane), prices the load as a bulk load of four Batches, and leaves every
 * table of the ledger as it was.
 */
class PreviewTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The donors already synced, as the platform delivered them; the file carries them again unchanged. */
    private static final int UNCHANGED = 20;
    private static final List<String> TABLES = List.of("sync_ledger", "sync_history", "dead_letter", "bulk_load", "sync_resolution");

    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture().sandbox(PreviewTest::seed);

    /** referenceId to its Contact: the ones the file's donors meet. */
    private static final Map<String, Long> CONTACTS = new HashMap<>();

    private static void seed(VirtuousSandbox sandbox) {
        for (int i = 0; i < 250; i++) {
            CONTACTS.put("ref-" + i, sandbox.seedContact(person("Ref", "r" + i, "ref-" + i + "@example.org", "ref-" + i)));
        }
        for (int i = 0; i < 150; i++) {
            CONTACTS.put("mail-" + i, sandbox.seedContact(person("Mail", "m" + i, "mail-" + i + "@example.org", null)));
        }
        for (int i = 0; i < 20; i++) {
            sandbox.seedContact(person("Shared", "a" + i, "shared-" + i + "@example.org", null));
            sandbox.seedContact(person("Shared", "b" + i, "shared-" + i + "@example.org", null));
        }
        for (int i = 0; i < 10; i++) {
            sandbox.seedContact(person("Cross", "a" + i, "cross-a-" + i + "@example.org", "cross-" + i));
            sandbox.seedContact(person("Cross", "b" + i, "cross-" + i + "@example.org", null));
        }
        for (int i = 0; i < 700; i++) {
            sandbox.seedContact(person("Filler", "f" + i, "filler-" + i + "@example.org", null));
        }
    }

    private static Map<String, Object> person(String firstName, String lastName, String email, String referenceId) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("firstName", firstName, "lastName", lastName,
                "email", email));
        if (referenceId != null) {
            fields.put("referenceSource", SOURCE);
            fields.put("referenceId", referenceId);
        }
        return fields;
    }

    @BeforeAll
    static void theFirstDonorsAreInTheLedger() throws Exception {
        List<Map<String, String>> synced = new ArrayList<>();
        for (int i = 0; i < UNCHANGED; i++) {
            synced.add(Map.of("referenceId", "ref-" + i, "firstName", "Ref", "lastName", "r" + i, "email", "ref-" + i + "@example.org"));
        }
        assertThat(bundle().post("/donors", JSON.writeValueAsString(synced)).status()).isEqualTo(202);
        // one wait for them all: linked, with nothing left to update
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            for (int i = 0; i < UNCHANGED; i++) {
                LedgerEntry entry = bundle().entry(SOURCE, "ref-" + i);
                if (entry == null || entry.state() != SyncState.SYNCED || !DonorChanges.between(entry.baseline(), entry.donor()).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void aThousandDonorFileIsPreviewedWithTheCountsTheOrganisationImpliesForTwoQueryPagesAndChangesNothing() throws Exception {
        StringBuilder csv = new StringBuilder("referenceId,firstName,lastName,email\n");
        for (int i = 0; i < 250; i++) {
            csv.append("ref-").append(i).append(",Ref,r").append(i).append(",ref-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 150; i++) {
            csv.append("mail-").append(i).append(",Mail,m").append(i).append(",mail-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 20; i++) {
            csv.append("shared-").append(i).append(",Shared,s").append(i).append(",shared-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 10; i++) {
            csv.append("cross-").append(i).append(",Cross,c").append(i).append(",cross-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 25; i++) {
            csv.append("bad-").append(i).append(",Bad,b").append(i).append(",bad-").append(i).append("@example\n");
            csv.append(",No,Reference").append(i).append(",noref-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 500; i++) {
            csv.append("new-").append(i).append(",New,n").append(i).append(",new-").append(i).append("@example.org\n");
        }
        for (int i = 0; i < 20; i++) {
            csv.append("quiet-").append(i).append(",Quiet,q").append(i).append(",\n");
        }
        Map<String, List<Map<String, Object>>> before = tables();
        Map<String, Integer> submissionsBefore = sandbox().submissions();
        sandbox().clearRequests();

        HttpResponse<String> answer = preview(csv.toString(), "text/csv");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode report = JSON.readTree(answer.body());
        assertThat(report.path("donors").asInt()).isEqualTo(1000);
        assertThat(JSON.convertValue(report.path("totals"), Map.class)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "linkByReference", 250 - UNCHANGED, "linkByEmail", 150, "new", 520, "ambiguous", 30, "rejected", 50, "unchanged", UNCHANGED,
                "update", 0, "heldWhilePending", 0));
        // the README and docs/operations.md: one request per 1,000 Contacts, and nothing else, in the poll lane
        int contacts = sandbox().contacts().size();
        assertThat(contacts).isEqualTo(1160);
        JsonNode lookup = report.path("lookup");
        assertThat(lookup.path("method").asText()).isEqualTo("query");
        assertThat(lookup.path("lane").asText()).isEqualTo("poll");
        assertThat(lookup.path("contactsRead").asInt()).isEqualTo(contacts);
        assertThat(lookup.path("requests").asInt()).isEqualTo((contacts + 999) / 1000).isEqualTo(2);
        List<RecordedRequest> asked = sandbox().requests().stream().filter(request -> request.path().startsWith("/api/Contact")).toList();
        assertThat(asked).extracting(RecordedRequest::method, RecordedRequest::path)
                .containsOnly(org.assertj.core.groups.Tuple.tuple("POST", "/api/Contact/Query/FullContact")).hasSize(2);
        // more than sync.bulk.threshold (100): a bulk load, 930 donors to send in Batches of sync.batch.size (250)
        JsonNode load = report.path("load");
        assertThat(load.path("path").asText()).isEqualTo("bulk");
        assertThat(load.path("requests").asInt()).isEqualTo(4);
        assertThat(load.path("waitSeconds").asLong()).isZero();

        Map<String, JsonNode> rows = new HashMap<>();
        report.path("rows").forEach(row -> rows.put(row.path("origin").asText(), row));
        assertThat(rows).hasSize(1000);
        JsonNode linked = row(report, "ref-60");
        assertThat(linked.path("outcome").asText()).isEqualTo("link-by-reference");
        assertThat(linked.path("contactIds").get(0).asLong()).isEqualTo(CONTACTS.get("ref-60"));
        assertThat(row(report, "mail-7").path("contactIds").get(0).asLong()).isEqualTo(CONTACTS.get("mail-7"));
        assertThat(row(report, "shared-3").path("contactIds")).hasSize(2);
        assertThat(row(report, "cross-4").path("reason").asText()).contains("reference pair is on Contact", "email on Contact");
        assertThat(row(report, "ref-3").path("outcome").asText()).isEqualTo("unchanged");
        assertThat(row(report, "bad-1").path("reason").asText()).isEqualTo("email: 'bad-1@example' is not an email address");
        JsonNode withoutReference = rows.values().stream().filter(row -> row.path("email").asText().equals("noref-5@example.org")).findFirst()
                .orElseThrow();
        assertThat(withoutReference.path("outcome").asText()).isEqualTo("rejected");
        assertThat(withoutReference.path("reason").asText()).isEqualTo("referenceId: required, the platform's stable id for the donor");

        // a preview submits nothing and writes nothing
        assertThat(tables()).isEqualTo(before);
        assertThat(sandbox().submissions()).isEqualTo(submissionsBefore);

        // the same report, kept, and its rows as CSV
        String id = report.path("id").asText();
        HttpResponse<String> kept = get("/sync/preview/" + id);
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(kept.body())).isEqualTo(report);
        HttpResponse<String> download = get("/sync/preview/" + id + "/report.csv");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
        assertThat(download.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"preview-" + id + ".csv\"");
        List<CSVRecord> lines = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build()
                .parse(new StringReader(download.body())).getRecords();
        assertThat(lines).hasSize(1000);
        CSVRecord shared = lines.stream().filter(line -> line.get("referenceId").equals("shared-3")).findFirst().orElseThrow();
        assertThat(shared.get("outcome")).isEqualTo("ambiguous");
        assertThat(shared.get("contactIds")).matches("\\d+;\\d+");
        assertThat(lines.stream().filter(line -> line.get("outcome").equals("new")).count()).isEqualTo(520);
        assertThat(get("/sync/preview/no-such-preview").statusCode()).isEqualTo(404);
        assertThat(get("/sync/preview/no-such-preview/report.csv").statusCode()).isEqualTo(404);
    }

    /**
     * A few donors go the live path, priced per donor: a link by reference costs its Find, by email two Finds, a new
     * donor its Finds (one without an email) and the Transaction. When the Query fails, Finds answer instead.
     */
    @Test
    void aSmallDeliveryIsPricedForTheLivePathAndAFailingQueryFallsBackToFinds() throws Exception {
        String donors = """
                [{"referenceId": "ref-100", "firstName": "Ref", "lastName": "r100", "email": "ref-100@example.org"},
                 {"referenceId": "mail-1", "firstName": "Mail", "lastName": "m1", "email": "mail-1@example.org"},
                 {"referenceId": "live-new", "firstName": "Live", "lastName": "New", "email": "live-new@example.org"},
                 {"referenceId": "live-quiet", "firstName": "Live", "lastName": "Quiet"},
                 {"referenceId": "live-bad", "firstName": "Live"}]""";
        JsonNode queried = JSON.readTree(preview(donors, "application/json").body());
        assertThat(queried.path("load").path("path").asText()).isEqualTo("live");
        assertThat(queried.path("load").path("requests").asInt()).isEqualTo(1 + 2 + 3 + 2);
        assertThat(queried.path("lookup").path("method").asText()).isEqualTo("query");

        sandbox().answerNext("POST", "/api/Contact/Query", 400, "{\"message\":\"The request is invalid.\"}");
        sandbox().clearRequests();
        JsonNode found = JSON.readTree(preview(donors, "application/json").body());
        assertThat(found.path("totals")).isEqualTo(queried.path("totals"));
        assertThat(found.path("lookup").path("method").asText()).isEqualTo("finds");
        assertThat(found.path("lookup").path("queryFailure").asText()).contains("400");
        // the failed page, then by reference for the four valid donors, by email for the three not found so with an email
        assertThat(found.path("lookup").path("requests").asInt()).isEqualTo(1 + 4 + 2);
        assertThat(sandbox().requestCount("GET", "/api/Contact/Find")).isEqualTo(6);
        assertThat(JSON.convertValue(found.path("totals"), Map.class)).containsEntry("linkByReference", 1).containsEntry("linkByEmail", 1)
                .containsEntry("new", 2).containsEntry("rejected", 1);

        // the organisation's other integrations leave a few requests above virtuous.rate.floor (250): the load waits for the next window
        RateGovernor governor = bundle().bean("rate-governor", RateGovernor.class);
        int remaining = (Integer) governor.status().get("remaining");
        sandbox().consumeRateBudget(remaining - 250 - 4);
        try {
            JsonNode budgetShort = JSON.readTree(preview(donors, "application/json").body());
            assertThat(budgetShort.path("lookup").path("requests").asInt()).isEqualTo(2);
            assertThat(budgetShort.path("load").path("waitSeconds").asLong()).as("RateGovernor.waitFor(8) with 2 left").isPositive()
                    .isLessThanOrEqualTo(3600);
        } finally {
            sandbox().resetRateLimit();
        }
    }

    private static JsonNode row(JsonNode report, String referenceId) {
        for (JsonNode row : report.path("rows")) {
            if (referenceId.equals(row.path("referenceId").asText())) {
                return row;
            }
        }
        throw new AssertionError("no row for " + referenceId);
    }

    private static HttpResponse<String> preview(String body, String contentType) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(bundle().uri("/sync/preview")).header("Content-Type", contentType)
                .header("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(bundle().uri(path))
                .header("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every row of the tables a preview must not touch. */
    private static Map<String, List<Map<String, Object>>> tables() {
        SyncDatabase database = bundle().bean("database", SyncDatabase.class);
        Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();
        for (String table : TABLES) {
            rows.put(table, database.jdbc().queryForList("SELECT * FROM " + table + " ORDER BY 1, 2"));
        }
        return rows;
    }

    private static VirtuousSandbox sandbox() {
        return FIXTURE.sandbox();
    }

    private static SyncBundle bundle() {
        return FIXTURE.bundle();
    }
}
