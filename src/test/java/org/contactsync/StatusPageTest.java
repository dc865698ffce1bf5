package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.Browser;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The status page in headless Chromium against the bundle and the sandbox, and the credentials it shares with the operator API. */
class StatusPageTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final Duration PAGE_WAIT = Duration.ofSeconds(15);
    /** Sends only the headers each request is given: SyncBundle's own methods add the right credentials. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture()
            .with(Map.of("sync.status.budget-sample-period-ms", "100", "sync.retry.max-redeliveries", "1"));

    @Test
    void thePageShowsTheLedgersCountsTheOldestPendingDonorAndTheDeadLetterAndReplaysIt() throws Exception {
        bundle().post("/donors", "{\"referenceId\":\"page-invalid\",\"firstName\":\"Status\",\"email\":\"not-an-email\"}");
        DeadLetter refused = bundle().deadLetters().get(0);
        // Virtuous fails the lookup and its one retry: the donor goes to the dead letter
        sandbox().failNext(2, 503);
        bundle().post("/donors", donor("page-failed"));
        bundle().awaitState(SOURCE, "page-failed", SyncState.FAILED);
        sandbox().seedContact(Map.of("firstName", "Status", "lastName", "page-synced", "referenceSource", SOURCE, "referenceId", "page-synced"));
        bundle().post("/donors", donor("page-synced"));
        bundle().awaitApplied(SOURCE, "page-synced");
        bundle().post("/donors", donor("page-pending-old"));
        bundle().awaitState(SOURCE, "page-pending-old", SyncState.PENDING);
        clock().advance(Duration.ofHours(3));
        bundle().post("/donors", donor("page-pending-new"));
        bundle().awaitState(SOURCE, "page-pending-new", SyncState.PENDING);
        DeadLetter letter = bundle().deadLetters().get(0);
        Map<SyncState, Long> counts = bundle().views().countsByState();

        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));

            for (SyncState state : SyncState.values()) {
                await(state.name()).atMost(PAGE_WAIT).until(() -> browser.texts("#count-" + state), List.of(String.valueOf(counts.get(state)))::equals);
            }
            assertThat(counts).containsEntry(SyncState.PENDING, 2L).containsEntry(SyncState.SYNCED, 1L).containsEntry(SyncState.FAILED, 1L);
            assertThat(browser.attributes("#pending tr[data-reference]", "data-reference"))
                    .containsExactly(SOURCE + ":page-pending-old", SOURCE + ":page-pending-new");
            assertThat(browser.attributes("#dead-letters tr[data-letter-id]", "data-letter-id"))
                    .containsExactly(String.valueOf(letter.id()), String.valueOf(refused.id()));
            assertThat(browser.texts("#dead-letters tr").get(0)).contains("page-failed", letter.reason());
            assertThat(browser.texts("#dead-letters tr").get(1)).contains("page-invalid", refused.reason(), "Correct it on the platform");
            assertThat(browser.attributes("#dead-letters tr[data-letter-id='" + refused.id() + "'] button", "class"))
                    .as("refused on arrival: a replay as received would be refused again").isEmpty();
            assertThat(letter.reason()).contains("503");
            await("budget chart").atMost(PAGE_WAIT).until(() -> browser.attributes("#budget-chart polyline", "points"),
                    points -> points.size() == 1 && points.get(0).split(" ").length >= 2);
            browser.screenshot(screenshot());

            browser.click("#dead-letters tr[data-letter-id='" + letter.id() + "'] button.replay");

            await("replay answered").atMost(PAGE_WAIT).until(() -> browser.texts("#replay-result"),
                    text -> text.size() == 1 && text.get(0).contains("page-failed was sent again"));
            await("letter gone").atMost(PAGE_WAIT).until(() -> browser.attributes("#dead-letters tr[data-letter-id]", "data-letter-id"),
                    List.of(String.valueOf(refused.id()))::equals);
            bundle().awaitState(SOURCE, "page-failed", SyncState.PENDING);
            // the page reads the counts right after the replay's answer: the donor is RECEIVED then, or PENDING already
            await("counts follow").atMost(PAGE_WAIT).until(() -> browser.texts("#count-FAILED"), List.of("0")::equals);
            assertThat(Integer.parseInt(browser.texts("#count-RECEIVED").get(0)) + Integer.parseInt(browser.texts("#count-PENDING").get(0)))
                    .isEqualTo(3);
            assertThat(browser.texts("#error")).containsExactly("");
        }
    }

    @Test
    void thePageShowsHowTheLivePathSendsNewDonorsWhyAndEachLanesWaitingWork() throws Exception {
        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));

            await("live path").atMost(PAGE_WAIT).until(() -> browser.texts("#live-summary"), List.of("No donors waiting; they are sent one by one.")::equals);
            assertThat(browser.texts("#live-why").get(0)).contains("new donors go one by one");
            assertThat(browser.texts("#live-lanes tr")).hasSize(3).allSatisfy(lane -> assertThat(lane).endsWith("0 –"));
        }
    }

    @Test
    void thePageShowsWhatTheOrganisationLacksAndTheDonorsHeldForIt() throws Exception {
        sandbox().renameOrganisationValue("contact-types", "Household", "Family");
        checkTheOrganisation();
        bundle().post("/donors", donor("page-held"));
        await().atMost(PAGE_WAIT).until(() -> ((Map<?, ?>) bundle().get("/sync/status").json().get("drift")).get("heldDonors"), held -> held.equals(1));

        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));
            await("drift shown").atMost(PAGE_WAIT).until(() -> browser.texts("#drift-values tr"),
                    rows -> rows.size() == 1 && rows.get(0).contains("sync.default-contact-type") && rows.get(0).contains("Household"));
            assertThat(browser.texts("#drift-held")).singleElement().asString().startsWith("1 donor(s) waiting");
            assertThat(browser.texts("#drift-checked")).singleElement().asString().startsWith("Last checked");
            // (the release once it is renamed back is DriftGuardTest's)
        }
    }

    /** The drift guard's check, on demand: the test bundles have no schedule of their own for it. */
    private void checkTheOrganisation() throws Exception {
        try (var template = bundle().context().createProducerTemplate()) {
            template.sendBody("direct:virtuous-sync-drift-check", null);
        }
    }

    @Test
    void thePageAndTheOperatorApiRefuseMissingOrWrongCredentialsAndTheOtherEndpointsKeepTheirRules() throws Exception {
        bundle().post("/donors", donor("guarded-1"));
        bundle().awaitState(SOURCE, "guarded-1", SyncState.PENDING);
        List<HttpRequest.Builder> guarded = List.of(
                request("/sync/ui").GET(),
                request("/sync/status").GET(),
                request("/sync/donors/" + SOURCE + "/guarded-1").GET(),
                request("/sync/dead-letters").GET(),
                request("/sync/dead-letters/1/replay").POST(HttpRequest.BodyPublishers.noBody()),
                request("/sync/dead-letters/1?reason=test").DELETE());
        String wrongPassword = SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD + "x");
        String wrongUser = SyncBundle.basic("someone", SyncBundle.OPERATOR_PASSWORD);

        for (HttpRequest.Builder request : guarded) {
            for (String authorization : new String[] {null, wrongPassword, wrongUser, "Basic not-base64!", "Basic a, \"b\")", "Bearer " + SyncBundle.OPERATOR_PASSWORD}) {
                HttpRequest.Builder attempt = request.copy();
                if (authorization != null) {
                    attempt.header("Authorization", authorization);
                }
                HttpResponse<String> answer = send(attempt);
                String what = answer.request().method() + " " + answer.request().uri().getPath() + " with " + authorization;
                assertThat(answer.statusCode()).as(what).isEqualTo(401);
                assertThat(answer.headers().firstValue("WWW-Authenticate")).as(what).hasValueSatisfying(value -> assertThat(value).startsWith("Basic "));
                assertThat(answer.body()).as(what).doesNotContain("guarded-1", SyncBundle.OPERATOR_PASSWORD);
            }
        }
        // nothing the refused calls asked for happened
        assertThat(bundle().deadLetters()).isEmpty();

        HttpResponse<String> page = send(request("/sync/ui").GET().header("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD)));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
        assertThat(page.body()).contains("Donors by state");
        Map<String, Object> status = bundle().get("/sync/status").json();
        assertThat(status).containsEntry("PENDING", 1).containsKey("budgetHistory");
        Map<?, ?> pending = (Map<?, ?>) ((List<?>) status.get("oldestPending")).get(0);
        OffsetDateTime submitted = OffsetDateTime.parse((String) pending.get("submittedAt"));
        assertThat(pending.get("referenceId")).isEqualTo("guarded-1");
        assertThat(OffsetDateTime.parse((String) pending.get("pollDueAt"))).as("sync.poll.after").isEqualTo(submitted.plusHours(6));
        assertThat(OffsetDateTime.parse((String) pending.get("deadlineAt"))).as("sync.pending.deadline").isEqualTo(submitted.plusHours(36));
        assertThat(bundle().get("/sync/donors/" + SOURCE + "/guarded-1").status()).isEqualTo(200);
        // health, intake and webhooks keep their own rules
        // readiness is DOWN until the inbox's first poll (a second after start): awaited, not assumed
        await().atMost(Duration.ofSeconds(20)).until(() -> send(request("/sync/health").GET()).statusCode() == 200);
        assertThat(send(request("/donors").POST(HttpRequest.BodyPublishers.ofString(donor("guarded-2"))).header("Content-Type", "application/json"))
                .statusCode()).isBetween(200, 299);
        // its lookup must not take the answer the next test plans for its own donor
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().entry(SOURCE, "guarded-2").state() != SyncState.RECEIVED);
    }

    @Test
    void theReplayWithAPreviewShowsEachDonorsDiffAndReplaysTheCountConfirmedOnce() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Status", "lastName", "Old Name", "referenceSource", SOURCE, "referenceId", "page-link"));
        for (String id : List.of("page-new", "page-link")) {
            // Virtuous refuses the lookup: the donor goes to the dead letter, with the same reason for both
            sandbox().answerNext("GET", "/api/Contact/Find", 400, "{\"message\": \"refused for the page\"}");
            bundle().post("/donors", donor(id));
            bundle().awaitState(SOURCE, id, SyncState.FAILED);
        }

        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));
            await("reasons").atMost(PAGE_WAIT).until(() -> browser.texts("#replay-reason option"), texts -> texts.size() == 1 && texts.get(0).endsWith("(2)"));

            browser.click("#replay-preview-button");

            await("preview").atMost(PAGE_WAIT).until(() -> browser.texts("#replay-confirm"), List.of("Replay 2 donors")::equals);
            assertThat(browser.attributes("#replay-diff tr[data-action]", "data-action")).contains("new", "link");
            assertThat(String.join("\n", browser.texts("#replay-diff tr"))).contains("page-new", "create a new contact", "lastName",
                    "page-link", "link to the contact in Virtuous", "Old Name");
            assertThat(sandbox().submissions()).as("a preview sends nothing").isEmpty();

            browser.click("#replay-confirm");

            await("replayed").atMost(PAGE_WAIT).until(() -> browser.texts("#replay-preview-result"),
                    text -> text.size() == 1 && text.get(0).startsWith("2 donors were sent again"));
            bundle().awaitState(SOURCE, "page-new", SyncState.PENDING);
            bundle().awaitState(SOURCE, "page-link", SyncState.SYNCED);
            assertThat(sandbox().submissions()).containsExactly(Map.entry(SOURCE + ":page-new", 1));
            await("no failed donors").atMost(PAGE_WAIT).until(() -> browser.texts("#replay-reason option"), List::isEmpty);
        }
    }

    /** Issue 17: the overdue line, and a donor's history with the merge its update followed (Contact A answered 404). */
    @Test
    void thePageShowsTheOverdueDonorsAndADonorsHistoryWithItsMerge() throws Exception {
        bundle().post("/donors", donor("page-overdue"));
        bundle().awaitState(SOURCE, "page-overdue", SyncState.PENDING);
        long merged = sandbox().seedContact(Map.of("firstName", "Status", "lastName", "page-merged", "referenceSource", SOURCE,
                "referenceId", "page-merged"));
        bundle().post("/donors", donor("page-merged"));
        bundle().awaitApplied(SOURCE, "page-merged");
        long survivor = sandbox().seedContact(Map.of("firstName", "Status", "lastName", "Survivor"));
        sandbox().mergeContact(merged, survivor);
        bundle().post("/donors", """
                {"referenceId": "page-merged", "firstName": "Status", "lastName": "page-merged", "email": "merged@example.org"}""");
        await("the update follows the merge").atMost(PAGE_WAIT).until(() -> bundle().entry(SOURCE, "page-merged"),
                entry -> entry.state() == SyncState.SYNCED && entry.contactId() == survivor);
        clock().advance(Duration.ofHours(13));

        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));

            await("overdue line").atMost(PAGE_WAIT).until(() -> browser.texts("#overdue-line"),
                    text -> text.size() == 1 && text.get(0).startsWith("1 donor(s) waiting for Virtuous longer than 12h"));
            browser.type("#donor-history-source", SOURCE);
            browser.type("#donor-history-id", "page-merged");
            browser.click("#donor-history-form button");

            await("history").atMost(PAGE_WAIT).until(() -> browser.texts("#donor-history-steps tr[data-state]"),
                    steps -> steps.stream().anyMatch(step -> step.contains("merged: Contact " + merged + " \u2192 " + survivor + " (update)")));
            assertThat(browser.attributes("#donor-history-steps tr[data-state]", "data-state")).startsWith("RECEIVED").endsWith("SYNCED");
        }
    }

    /** A file chosen on the page is previewed: its totals, what sending it would cost, and the CSV to download; nothing recorded. */
    @Test
    void thePagePreviewsAChosenFileAndOffersItsReportAsCsv() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Known", "lastName", "Donor", "referenceSource", SOURCE, "referenceId", "preview-known"));
        Path file = Files.writeString(directory().resolve("first-load.csv"), """
                referenceId,firstName,lastName,email
                preview-known,Known,Donor,
                preview-new,New,Donor,new@example.org
                preview-bad,Bad,Donor,bad@example
                """);

        try (Browser browser = Browser.start(directory())) {
            URI page = bundle().uri("/sync/ui");
            browser.open(URI.create("http://" + SyncBundle.OPERATOR + ":" + SyncBundle.OPERATOR_PASSWORD + "@" + page.getAuthority() + page.getPath()));
            browser.type("#preview-file", file.toString());
            browser.click("#preview-run");

            await("preview totals").atMost(PAGE_WAIT).until(() -> browser.attributes("#preview-totals tr[data-outcome]", "data-outcome"),
                    List.of("linkByReference", "new", "rejected")::equals);
            assertThat(browser.texts("#preview-totals tr[data-outcome] .count")).containsExactly("1", "1", "1");
            assertThat(browser.texts("#preview-result")).containsExactly("first-load.csv: 3 donors previewed.");
            assertThat(browser.texts("#preview-cost").get(0)).contains("about 4 requests", "donor by donor", "without waiting");
            String download = browser.attributes("#preview-download", "href").get(0);
            assertThat(download).matches(".*/sync/preview/[0-9a-f-]+/report\\.csv");

            HttpResponse<String> csv = send(request(URI.create(download).getPath()).GET()
                    .header("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD)));
            assertThat(csv.body().lines()).hasSize(4).anySatisfy(line -> assertThat(line).contains("preview-bad", "rejected"));
        }
        assertThat(bundle().views().countsByState().values()).allMatch(count -> count == 0);
    }

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }

    private TestClock clock() {
        return fixture.clock();
    }

    private Path directory() {
        return fixture.directory();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(bundle().uri(path));
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String donor(String referenceId) {
        return """
                {"referenceId": "%s", "firstName": "Status", "lastName": "%s"}""".formatted(referenceId, referenceId);
    }

    /** Kept for the README and for a look after the build: target/status-page.png. */
    private static Path screenshot() throws Exception {
        return Files.createDirectories(Path.of("target")).resolve("status-page.png");
    }
}
