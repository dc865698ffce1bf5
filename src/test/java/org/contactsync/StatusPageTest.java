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
