package org.contactsync;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.contactsync.alert.AlertRoutes;
import org.contactsync.bundle.SettingException;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.contactsync.webhook.WebhookInbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 17, parts 4 and 5, against the sandbox over real HTTP on one bundle: a donor PENDING past sync.pending.warn-after
 * is notified once per PENDING spell through an HTTP endpoint with a token in RAW() (a restart does not notify again, a
 * later spell does, the rate limit holds a crossing back); the shipped Prometheus rules name only metrics the bundle
 * exports; and a merge in Virtuous re-points SYNCED and PENDING donors through the webhook (the merged Contact's and the
 * survivor's) and through the poll, each step in the donor's history.
 */
class AlertsAndMergesTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String TOKEN = "alert-token-17";
    private static final String SECRET = "merge-secret";
    /** The notifications the alert endpoint received: the query string (with the token), then the body. */
    private static final List<String> NOTIFIED = new CopyOnWriteArrayList<>();
    private static final HttpServer ALERTS = alertReceiver();
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SyncFixture fixture = new SyncFixture().sandbox((sandbox, clock) -> sandbox.setClock(clock)).with(Map.of(
            "sync.webhook.secret", SECRET,
            "sync.webhook.public-url", "http://localhost:{{camel.server.port}}",
            "sync.webhook.read-period-ms", "200",
            "sync.redrive.period-ms", "200",
            // two due donors make the poll run its Contact Query; one stored webhook event alone is read by a GET
            "sync.poll.query-min", "2",
            "sync.alert.endpoint", "http://localhost:" + ALERTS.getAddress().getPort() + "/alerts?token=RAW(" + TOKEN + ")",
            "sync.alert.check-period-ms", "100",
            "sync.alert.min-interval", "30m"));

    @BeforeAll
    static void awaitSubscribed() {
        awaitSubscription();
    }

    @AfterAll
    static void stopAlertReceiver() {
        ALERTS.stop(0);
    }

    @Test
    void aDonorHeldPastTheWarningIsNotifiedOncePerPendingSpellAndARestartDoesNotNotifyAgain() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("late-1");
        clock().advance(Duration.ofHours(13));

        await("notified").atMost(Duration.ofSeconds(10)).until(() -> notificationsNaming("late-1"), count -> count == 1);
        String notification = NOTIFIED.stream().filter(text -> text.contains(SOURCE + ":late-1 ")).findFirst().orElseThrow();
        assertThat(notification).as("the token reached the endpoint as written (RAW)").startsWith("token=" + TOKEN + "\n")
                .contains("longer than 12h (sync.pending.warn-after)");
        Map<String, Object> overdue = check(bundle().get("/sync/health").json(), "pending-overdue");
        assertThat(overdue).containsEntry("state", "UP");
        assertThat((String) overdue.get("message")).startsWith("warning: ").contains("longer than 12h");
        assertThat(((Number) ((Map<?, ?>) bundle().get("/sync/status").json().get("overdue")).get("count")).longValue()).isPositive();
        assertThat(bundle().observe("/observe/metrics").body()).containsPattern("(?m)^virtuous_sync_pending_overdue [1-9]");

        fixture.restart(Map.of());
        awaitSubscription();
        NotifyBuilder checks = new NotifyBuilder(bundle().context()).fromRoute("virtuous-sync-overdue-alert").whenCompleted(3).create();
        assertThat(checks.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(notificationsNaming("late-1")).as("the restart did not notify again").isEqualTo(1);

        // it leaves PENDING (past the deadline, to the dead letter), is replayed, and crosses the threshold again
        clock().advance(Duration.ofDays(2));
        bundle().poll();
        bundle().awaitState(SOURCE, "late-1", SyncState.FAILED);
        Map<String, Object> letter = openLetters().stream().filter(open -> "late-1".equals(open.get("referenceId"))).findFirst().orElseThrow();
        assertThat(bundle().post("/sync/dead-letters/" + letter.get("id") + "/replay", "").status()).isEqualTo(202);
        bundle().awaitState(SOURCE, "late-1", SyncState.PENDING);
        clock().advance(Duration.ofHours(13));

        await("notified again").atMost(Duration.ofSeconds(10)).until(() -> notificationsNaming("late-1"), count -> count == 2);
        sandbox().setWebhookDeliveryEnabled(true);
    }

    @Test
    void aCrossingWithinTheMinimumIntervalIsNotifiedByTheNextNotification() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("rate-a");
        clock().advance(Duration.ofMinutes(10));
        submit("rate-b");
        clock().advance(Duration.ofHours(12).minusMinutes(5));
        await("rate-a notified").atMost(Duration.ofSeconds(10)).until(() -> notificationsNaming("rate-a"), count -> count == 1);

        // rate-b crosses 10 minutes after that notification: held back by sync.alert.min-interval (30m)
        clock().advance(Duration.ofMinutes(10));
        NotifyBuilder checks = new NotifyBuilder(bundle().context()).fromRoute("virtuous-sync-overdue-alert").whenCompleted(3).create();
        assertThat(checks.matches(10, TimeUnit.SECONDS)).isTrue();
        assertThat(notificationsNaming("rate-b")).isZero();

        clock().advance(Duration.ofMinutes(25));
        await("rate-b notified").atMost(Duration.ofSeconds(10)).until(() -> notificationsNaming("rate-b"), count -> count == 1);
        assertThat(notificationsNaming("rate-a")).isEqualTo(1);
        sandbox().setWebhookDeliveryEnabled(true);
    }

    /**
     * Each metric the rules name is in a running bundle's scrape, each check they name is a readiness check of it;
     * virtuous_sync_drift arrives with the drift guard (issue 17, part 2), whose rule is shipped ahead of it.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theShippedAlertRulesNameOnlyMetricsTheBundleExports() throws Exception {
        Map<String, Object> rules = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("docker/prometheus/alerts.yml")));
        List<Map<String, Object>> all = new ArrayList<>();
        for (Object group : (List<Object>) rules.get("groups")) {
            all.addAll((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules"));
        }
        String scrape = bundle().observe("/observe/metrics").body();
        Set<String> named = new TreeSet<>();
        for (Map<String, Object> rule : all) {
            assertThat(rule).containsKeys("alert", "expr", "labels", "annotations");
            assertThat((Map<String, Object>) rule.get("labels")).containsKey("severity");
            assertThat((Map<String, Object>) rule.get("annotations")).containsKeys("summary", "description");
            String expr = (String) rule.get("expr");
            assertThat(expr.chars().filter(c -> c == '(').count()).as(expr).isEqualTo(expr.chars().filter(c -> c == ')').count());
            Pattern.compile("\\bvirtuous_sync_[a-z_]+").matcher(expr).results().forEach(metric -> named.add(metric.group()));
            Pattern.compile("check=\"([a-z-]+)\"").matcher(expr).results().forEach(check ->
                    assertThat(scrape).as(rule.get("alert") + ": readiness check " + check.group(1))
                            .containsPattern("virtuous_sync_ready\\{[^}]*check=\"" + check.group(1) + "\""));
        }
        assertThat(all).extracting(rule -> rule.get("alert")).contains("VirtuousSyncDonorsOverdue", "VirtuousSyncDeadLettersGrowing",
                "VirtuousSyncKeyRefused", "VirtuousSyncBudgetExhausted", "VirtuousSyncConfigurationDrift");
        assertThat(named).contains("virtuous_sync_drift");
        named.remove("virtuous_sync_drift");
        assertThat(named).isNotEmpty().allSatisfy(metric -> assertThat(scrape).as(metric).containsPattern("(?m)^# TYPE " + metric + " gauge$"));
    }

    @Test
    void anEndpointCamelCannotMakeStopsTheStartNamingTheSettingAndOnlyItsScheme() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            assertThatThrownBy(() -> AlertRoutes.check(context, "slack:#sync?webhookUrl=RAW(https://hooks.slack.com/services/T0/B0/s3cret)"))
                    .isInstanceOf(SettingException.class)
                    .hasMessage("sync.alert.endpoint=slack:***: no Camel component 'slack' on the classpath (add its jar, e.g. camel-slack)");
            assertThatThrownBy(() -> AlertRoutes.check(context, "log:overdue?password=s3cret"))
                    .isInstanceOf(SettingException.class).hasMessageStartingWith("sync.alert.endpoint=log:***: the log component refuses the URI")
                    .hasMessageNotContaining("s3cret");
        }
    }

    @Test
    void aMergeSeenByTheWebhookRePointsTheSyncedDonorAndResolvesThePendingOneOnTheSurvivor() throws Exception {
        sandbox().setWebhookDeliveryEnabled(true);
        long merged = contactIdFor("wh-synced", submitAndRunBatch("wh-synced"));
        bundle().awaitState(SOURCE, "wh-synced", SyncState.SYNCED);
        // its contactCreate lost: Virtuous created the Contact, the donor is still PENDING
        sandbox().setWebhookDeliveryEnabled(false);
        long mergedWhilePending = contactIdFor("wh-pending", submitAndRunBatch("wh-pending"));
        sandbox().setWebhookDeliveryEnabled(true);
        long survivor = sandbox().seedContact(Map.of("firstName", "Survivor", "lastName", "Webhook"));

        sandbox().mergeContact(merged, survivor);
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().entry(SOURCE, "wh-synced").contactId(), id -> id == survivor);
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().bean("webhook-inbox", WebhookInbox.class).waiting() == 0);
        sandbox().mergeContact(mergedWhilePending, survivor);
        LedgerEntry resolved = bundle().awaitState(SOURCE, "wh-pending", SyncState.SYNCED);

        assertThat(resolved.contactId()).isEqualTo(survivor);
        assertThat(details("wh-synced")).contains("merged: Contact " + merged + " \u2192 " + survivor + " (webhook-update)");
        assertThat(details("wh-pending")).last().isEqualTo("merged: Contact " + mergedWhilePending + " \u2192 " + survivor + " (webhook-update)");
        assertThat(reads(merged)).as("the merged Contact is never read").isZero();
        assertThat(bundle().get("/sync/donors/" + SOURCE + "/wh-synced").body()).contains("merged: Contact " + merged);
    }

    @Test
    void aWebhookForTheSurvivorIsToldFromADuplicateByOneReadOfTheRecordedContact() throws Exception {
        sandbox().setWebhookDeliveryEnabled(true);
        long merged = contactIdFor("wh-survivor", submitAndRunBatch("wh-survivor"));
        bundle().awaitState(SOURCE, "wh-survivor", SyncState.SYNCED);
        sandbox().setWebhookDeliveryEnabled(false);
        long survivor = sandbox().seedContact(Map.of("firstName", "Survivor", "lastName", "Edited"));
        sandbox().mergeContact(merged, survivor);

        // staff edit the survivor: its contactUpdate carries the pair, and no mergedIntoContactId
        String event = "{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + survivor + ",\"contactReferences\":[{\"source\":\""
                + SOURCE + "\",\"id\":\"wh-survivor\"}]}}";
        assertThat(deliver(event).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().entry(SOURCE, "wh-survivor").contactId(), id -> id == survivor);
        assertThat(details("wh-survivor")).last().isEqualTo("merged: Contact " + merged + " \u2192 " + survivor + " (webhook-update)");
        assertThat(reads(merged)).as("the one read that told the merge from a duplicate").isEqualTo(1);
        sandbox().setWebhookDeliveryEnabled(true);
    }

    @Test
    void aMergeSeenByThePollsQueryRePointsTheSyncedDonorAndSettlesThePendingOnes() throws Exception {
        sandbox().setWebhookDeliveryEnabled(true);
        long merged = contactIdFor("poll-synced", submitAndRunBatch("poll-synced"));
        bundle().awaitState(SOURCE, "poll-synced", SyncState.SYNCED);
        sandbox().setWebhookDeliveryEnabled(false);
        submit("poll-pending-1");
        submit("poll-pending-2");
        List<BatchResult> batch = sandbox().runBatch();
        long survivor = sandbox().seedContact(Map.of("firstName", "Survivor", "lastName", "Poll"));
        sandbox().mergeContact(merged, survivor);
        sandbox().mergeContact(contactIdFor("poll-pending-1", batch), survivor);
        assertThat(bundle().entry(SOURCE, "poll-synced").contactId()).as("its webhook lost").isEqualTo(merged);

        clock().advance(Duration.ofHours(7));
        bundle().poll();

        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().entry(SOURCE, "poll-synced").contactId(), id -> id == survivor);
        assertThat(details("poll-synced")).last().isEqualTo("merged: Contact " + merged + " \u2192 " + survivor + " (poll-query)");
        assertThat(reads(merged)).as("one read told the merge from a duplicate").isEqualTo(1);
        assertThat(bundle().awaitState(SOURCE, "poll-pending-1", SyncState.SYNCED).contactId()).as("on the survivor").isEqualTo(survivor);
        assertThat(bundle().awaitState(SOURCE, "poll-pending-2", SyncState.SYNCED).contactId()).isEqualTo(contactIdFor("poll-pending-2", batch));
        sandbox().setWebhookDeliveryEnabled(true);
    }

    private static HttpServer alertReceiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.createContext("/alerts", exchange -> {
                NOTIFIED.add(exchange.getRequestURI().getRawQuery() + "\n" + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SyncBundle.Response deliver(String body) throws Exception {
        return bundle().deliverWebhook(SECRET, body);
    }

    /** GETs of this one Contact by its id. */
    private static long reads(long contactId) {
        return sandbox().requests().stream().filter(request -> request.method().equals("GET") && request.path().equals("/api/Contact/" + contactId))
                .count();
    }

    private static long notificationsNaming(String referenceId) {
        return NOTIFIED.stream().filter(text -> text.contains(SOURCE + ":" + referenceId + " ")).count();
    }

    private static void awaitSubscription() {
        String payloadUrl = bundle().uri("/webhooks/virtuous").toString();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().webhooks().stream()
                .anyMatch(w -> payloadUrl.equals(w.get("payloadUrl")) && Boolean.TRUE.equals(w.get("active"))));
    }

    private static LedgerEntry submit(String referenceId) throws Exception {
        SyncBundle.Response accepted = bundle().post("/donors", "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Ada\",\"lastName\":\""
                + referenceId + "\"}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return bundle().awaitState(SOURCE, referenceId, SyncState.PENDING);
    }

    private static List<BatchResult> submitAndRunBatch(String referenceId) throws Exception {
        submit(referenceId);
        return sandbox().runBatch();
    }

    private static long contactIdFor(String referenceId, List<BatchResult> batch) {
        return batch.stream().filter(result -> referenceId.equals(result.referenceId())).findFirst().orElseThrow().contactId();
    }

    private static List<Object> details(String referenceId) {
        return bundle().ledger().history(new ReferencePair(SOURCE, referenceId)).stream().map(step -> step.get("detail")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> check(Map<String, Object> health, String id) {
        return (Map<String, Object>) ((Map<String, Object>) health.get("checks")).get(id);
    }

    private static List<Map<String, Object>> openLetters() throws Exception {
        return JSON.readValue(bundle().get("/sync/dead-letters").body(), new TypeReference<List<Map<String, Object>>>() { });
    }

    private static VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }

    private static TestClock clock() {
        return fixture.clock();
    }
}
