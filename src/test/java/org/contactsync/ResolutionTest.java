package org.contactsync;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.OptimisticLockingAggregationRepository.OptimisticLockingException;
import org.apache.camel.support.DefaultExchange;
import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.resolution.ResolutionJoin;
import org.contactsync.resolution.ResolutionRepository;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Closing the loop against the sandbox over real HTTP: PENDING donors end SYNCED through the resolution aggregator,
 * from webhooks or, when webhooks are lost, from the poll; what Virtuous never resolves ends in the dead letter,
 * where an operator replays or discards it. The bundle subscribes itself (sync.webhook.public-url).
 */
class ResolutionTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String SECRET = "resolution-secret";
    private static final Map<String, String> SETTINGS = Map.of(
            "sync.webhook.secret", SECRET,
            "sync.webhook.public-url", "http://localhost:{{camel.server.port}}",
            "sync.redrive.period-ms", "200",
            "sync.webhook.read-period-ms", "200");

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().with(SETTINGS);

    /** The bundle subscribes itself as it starts: the batch's webhooks reach it only once its subscription is active. */
    @BeforeEach
    void awaitSubscribed() {
        String payloadUrl = bundle().uri("/webhooks/virtuous").toString();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().webhooks().stream()
                .anyMatch(w -> payloadUrl.equals(w.get("payloadUrl")) && Boolean.TRUE.equals(w.get("active"))));
    }

    @Test
    void theBundleSubscribesItselfAndThePendingDonorIsSyncedByTheBatchsWebhook() throws Exception {
        LedgerEntry pending = submit("res-1", "Vera", "Rubin");

        long contactId = contactIdFor("res-1", sandbox().runBatch());

        LedgerEntry synced = bundle().awaitState(SOURCE, "res-1", SyncState.SYNCED);
        assertThat(pending.state()).isEqualTo(SyncState.PENDING);
        assertThat(synced.contactId()).isEqualTo(contactId);
        assertThat(synced.resolvedBy()).isEqualTo("webhook-create");
        assertThat(sandbox().webhooks()).hasSize(1);
        assertThat(sandbox().contactCountForReference(SOURCE, "res-1")).isEqualTo(1);
    }

    @Test
    void withWebhooksLostThePollFindsTheContactOnceTheDonorHasWaitedLongEnough() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-2", "Lise", "Meitner");
        long contactId = contactIdFor("res-2", sandbox().runBatch());

        bundle().poll();
        assertThat(bundle().entry(SOURCE, "res-2").state()).as("polled too early").isEqualTo(SyncState.PENDING);
        assertThat(sandbox().requestCount("GET", "/api/Contact/" + SOURCE)).isZero();

        clock().advance(Duration.ofHours(7));
        bundle().poll();

        LedgerEntry synced = bundle().awaitState(SOURCE, "res-2", SyncState.SYNCED);
        assertThat(synced.contactId()).isEqualTo(contactId);
        assertThat(synced.resolvedBy()).isEqualTo("poll");
        assertThat(sandbox().requestCount("GET", "/api/Contact/" + SOURCE + "/res-2")).isEqualTo(1);
    }

    @Test
    void duplicateAndOutOfOrderDeliveriesEndInOneSyncedRowWithTheRightId() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-3", "Chien-Shiung", "Wu");
        long contactId = contactIdFor("res-3", sandbox().runBatch());

        for (String event : List.of("ContactUpdate", "ContactUpdate", "ContactCreate", "ContactCreate", "ContactUpdate")) {
            assertThat(deliver(envelope(event, contactId, "res-3")).status()).isEqualTo(200);
        }

        LedgerEntry synced = bundle().awaitState(SOURCE, "res-3", SyncState.SYNCED);
        assertThat(synced.contactId()).isEqualTo(contactId);
        assertThat(synced.resolvedBy()).as("the first delivery resolved it").isEqualTo("webhook-update");
        assertThat(bundle().ledger().history(new ReferencePair(SOURCE, "res-3")))
                .extracting(step -> step.get("state")).containsExactly("RECEIVED", "PENDING", "SYNCED");
    }

    @Test
    void aDeliveryIsAnsweredOnlyOnceTheResolutionItBringsIsRecorded() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-15", "Mary", "Anning");
        long contactId = contactIdFor("res-15", sandbox().runBatch());

        SyncBundle.Response answer = deliver(envelope("ContactCreate", contactId, "res-15"));

        // read at once, no waiting: a 2xx tells Virtuous it need not deliver again, so what it brought is on disk by then
        assertThat(answer.status()).isEqualTo(200);
        assertThat(bundle().entry(SOURCE, "res-15").state()).isEqualTo(SyncState.SYNCED);
        assertThat(bundle().entry(SOURCE, "res-15").contactId()).isEqualTo(contactId);
    }

    @Test
    void aDeliveryWhoseResolutionFailsIsAnswered500AndDeliveredAgainSettlesTheDonor() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-18", "Rosalind", "Franklin");
        long contactId = contactIdFor("res-18", sandbox().runBatch());
        AtomicBoolean fail = new AtomicBoolean(true);
        AdviceWith.adviceWith(bundle().context(), "virtuous-sync-resolve", route -> route.weaveAddFirst().process(exchange -> {
            if (fail.getAndSet(false)) {
                throw new IllegalStateException("the ledger refused the write");
            }
        }));

        SyncBundle.Response refused = deliver(envelope("ContactCreate", contactId, "res-18"));
        LedgerEntry meanwhile = bundle().entry(SOURCE, "res-18");
        SyncBundle.Response again = deliver(envelope("ContactCreate", contactId, "res-18"));

        assertThat(refused.status()).as("nothing of it on disk: Virtuous must deliver it again").isEqualTo(500);
        assertThat(meanwhile.state()).isEqualTo(SyncState.PENDING);
        assertThat(again.status()).isEqualTo(200);
        assertThat(bundle().entry(SOURCE, "res-18").state()).isEqualTo(SyncState.SYNCED);
    }

    @Test
    void theRepositoryHoldsAnEarlyConfirmationButNotOneWhoseDonorWentPendingMeanwhile() throws Exception {
        ResolutionRepository repository = bundle().bean("resolution-repository", ResolutionRepository.class);
        // a pair the ledger does not await (here: not recorded at all; the redrive would soon send a RECEIVED one)
        ReferencePair early = new ReferencePair(SOURCE, "res-16");
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-17", "Ada", "Lovelace");

        repository.add(bundle().context(), SOURCE + ":res-16", null, confirmation(early, 7001));

        assertThat(repository.getKeys()).contains(SOURCE + ":res-16");
        // the strategy saw res-17 before it went PENDING: the aggregator is told to look again, and then completes it
        assertThatThrownBy(() -> repository.add(bundle().context(), SOURCE + ":res-17", null,
                confirmation(new ReferencePair(SOURCE, "res-17"), 7002))).isInstanceOf(OptimisticLockingException.class);
        assertThat(repository.getKeys()).doesNotContain(SOURCE + ":res-17");
    }

    @Test
    void anEventThatArrivesBeforeTheSubmitIsRecordedWaitsForIt() throws Exception {
        // recorded but not yet worked on: the redrive picks it up only after the event has arrived
        bundle().admissions().receive(new ReferencePair(SOURCE, "res-4"), Map.of("referenceSource", SOURCE, "referenceId", "res-4",
                "firstName", "Emmy", "lastName", "Noether", "contactType", "Household"));
        SyncBundle.Response early = deliver(envelope("ContactCreate", 5555, "res-4"));

        LedgerEntry synced = bundle().awaitState(SOURCE, "res-4", SyncState.SYNCED);

        assertThat(early.status()).isEqualTo(200);
        assertThat(early.body()).contains("\"donors\":1");
        assertThat(synced.contactId()).isEqualTo(5555L);
        assertThat(synced.resolvedBy()).isEqualTo("webhook-create");
        assertThat(bundle().ledger().history(new ReferencePair(SOURCE, "res-4")))
                .extracting(step -> step.get("state")).containsExactly("RECEIVED", "PENDING", "SYNCED");
    }

    @Test
    void aContactWithoutReferencesInTheEventIsReadFromVirtuous() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-5", "Barbara", "McClintock");
        long contactId = contactIdFor("res-5", sandbox().runBatch());

        SyncBundle.Response answer = deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + contactId + "}}");
        SyncBundle.Response again = deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + contactId + "}}");

        assertThat(answer.body()).isEqualTo("{\"accepted\":true,\"contactRead\":\"queued\"}");
        // the reader runs every 200 ms: it may have read the Contact and settled the donor before the repeat arrived
        assertThat(again.body()).isIn("{\"accepted\":true,\"contactRead\":\"queued\"}", "{\"accepted\":true,\"donors\":0}");
        assertThat(bundle().awaitState(SOURCE, "res-5", SyncState.SYNCED).contactId()).isEqualTo(contactId);
        assertThat(sandbox().requestCount("GET", "/api/Contact/" + contactId)).as("one read for both deliveries").isEqualTo(1);
    }

    @Test
    void eventsWithoutReferencesAreReadFromVirtuousOnlyWhileADonorAwaitsItsContact() throws Exception {
        submit("res-13", "Lise", "Meitner");
        long contactId = contactIdFor("res-13", sandbox().runBatch());
        bundle().awaitState(SOURCE, "res-13", SyncState.SYNCED);
        long staffsContact = sandbox().seedContact(Map.of("firstName", "Otto", "lastName", "Hahn"));
        sandbox().clearRequests();

        // every donor is SYNCED: staff editing Contacts, ours or not, costs no API budget
        SyncBundle.Response ours = deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + contactId + "}}");
        SyncBundle.Response staffs = deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + staffsContact + "}}");

        assertThat(List.of(ours, staffs)).allSatisfy(answer -> {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).contains("\"donors\":0");
        });
        assertThat(sandbox().requests()).isEmpty();

        submit("res-14", "Chien-Shiung", "Wu");
        sandbox().clearRequests();
        deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + staffsContact + "}}");

        await().atMost(Duration.ofSeconds(20)).until(() -> !sandbox().requests().isEmpty());
        assertThat(sandbox().requests()).as("a donor waits: the Contact could be its own").extracting(request -> request.method() + " " + request.path())
                .containsExactly("GET /api/Contact/" + staffsContact);
    }

    @Test
    void aNightlyImportsEventsWithoutReferencesAreSettledByOneContactQueryInsteadOfAGetEach() throws Exception {
        sandbox().setWebhookReferencesIncluded(false);
        for (int i = 1; i <= 12; i++) {
            submit("burst-" + i, "Donor", "Burst" + i);
        }
        sandbox().clearRequests();

        // the import's events arrive together, as after a nightly run: the reader finds them all waiting
        bundle().context().getRouteController().suspendRoute("virtuous-sync-webhook-contact-read");
        List<BatchResult> batch = sandbox().runBatch();
        assertThat(sandbox().deliveries()).hasSize(12).allSatisfy(delivery -> assertThat(delivery.status()).isEqualTo(200));
        bundle().context().getRouteController().resumeRoute("virtuous-sync-webhook-contact-read");

        for (BatchResult imported : batch) {
            assertThat(bundle().awaitState(SOURCE, imported.referenceId(), SyncState.SYNCED).contactId()).isEqualTo(imported.contactId());
        }
        assertThat(sandbox().requests()).extracting(request -> request.method() + " " + request.path())
                .containsExactly("POST /api/Contact/Query/FullContact");
    }

    @Test
    void aMergeInVirtuousRePointsTheDonorButAnotherContactWithoutAMergeDoesNot() throws Exception {
        submit("res-6", "Dorothy", "Hodgkin");
        long contactId = contactIdFor("res-6", sandbox().runBatch());
        bundle().awaitState(SOURCE, "res-6", SyncState.SYNCED);

        deliver(envelope("ContactCreate", 9001, "res-6"));
        assertThat(bundle().entry(SOURCE, "res-6").contactId()).as("not a merge").isEqualTo(contactId);

        deliver("{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + contactId + ",\"mergedIntoContactId\":9002,"
                + "\"contactReferences\":[{\"source\":\"" + SOURCE + "\",\"id\":\"res-6\"}]}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().entry(SOURCE, "res-6").contactId(), id -> id == 9002L);
    }

    @Test
    void pendingDonorsSurviveARestartAndTheirWebhooksStillResolveThem() throws Exception {
        for (String id : List.of("res-7a", "res-7b", "res-7c")) {
            submit(id, "Rosalind", "Franklin-" + id);
        }
        fixture.restart(Map.of());
        awaitSubscribed();

        List<BatchResult> batch = sandbox().runBatch();

        for (String id : List.of("res-7a", "res-7b", "res-7c")) {
            LedgerEntry synced = bundle().awaitState(SOURCE, id, SyncState.SYNCED);
            assertThat(synced.contactId()).isEqualTo(contactIdFor(id, batch));
            assertThat(sandbox().contactCountForReference(SOURCE, id)).isEqualTo(1);
        }
        assertThat(sandbox().webhooks()).as("the old subscription was re-pointed, not duplicated").hasSize(1);
    }

    @Test
    void aDonorVirtuousNeverResolvesReachesTheDeadLetterAndAReplayAfterTheImportEndsSyncedWithoutASecondContact() throws Exception {
        sandbox().setWebhookDeliveryEnabled(false);
        submit("res-8", "Mary", "Somerville");
        clock().advance(Duration.ofHours(7));
        bundle().poll();
        assertThat(bundle().entry(SOURCE, "res-8").state()).as("404, but within the deadline").isEqualTo(SyncState.PENDING);

        clock().advance(Duration.ofDays(2));
        bundle().poll();

        assertThat(bundle().entry(SOURCE, "res-8").state()).isEqualTo(SyncState.FAILED);
        Map<String, Object> letter = onlyOpenLetter();
        assertThat(letter.get("referenceId")).isEqualTo("res-8");
        assertThat((String) letter.get("reason")).startsWith("not resolved by Virtuous within 1d12h")
                .contains("Match Needed / Update Needed");
        assertThat((List<?>) letter.get("history")).hasSizeGreaterThanOrEqualTo(3);

        long contactId = contactIdFor("res-8", sandbox().runBatch());
        SyncBundle.Response replay = bundle().post("/sync/dead-letters/" + letter.get("id") + "/replay", "");

        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.json()).containsEntry("admission", "RETRY").containsEntry("referenceId", "res-8");
        LedgerEntry synced = bundle().awaitState(SOURCE, "res-8", SyncState.SYNCED);
        assertThat(synced.contactId()).isEqualTo(contactId);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        assertThat(sandbox().contactCountForReference(SOURCE, "res-8")).isEqualTo(1);
        assertThat(bundle().get("/sync/dead-letters").body()).isEqualTo("[]");
        assertThat(bundle().post("/sync/dead-letters/" + letter.get("id") + "/replay", "").status()).as("already replayed").isEqualTo(409);
    }

    @Test
    void anOperatorDiscardsADeadLetterWithAReasonKeptInTheLedger() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "res-9", "firstName": "Ada", "email": "not-an-email"}""");
        long id = ((Number) onlyOpenLetter().get("id")).longValue();

        assertThat(bundle().delete("/sync/dead-letters/" + id).status()).as("no reason").isEqualTo(400);
        assertThat(bundle().post("/sync/dead-letters/" + id + "/replay", "").status()).as("still invalid").isEqualTo(400);
        SyncBundle.Response fixed = bundle().post("/sync/dead-letters/424242/replay", "");
        SyncBundle.Response discarded = bundle().delete("/sync/dead-letters/" + id + "?reason=test%20donor");

        assertThat(fixed.status()).isEqualTo(404);
        assertThat(discarded.status()).isEqualTo(200);
        assertThat(bundle().get("/sync/dead-letters").body()).isEqualTo("[]");
        assertThat(bundle().deadLetters()).extracting(DeadLetter::outcome, DeadLetter::outcomeReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("discarded", "test donor"));
    }

    @Test
    void aRejectedDonorIsReplayedWithTheOperatorsCorrectionUnderItsOriginalReferencePair() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "res-10", "firstName": "Grace", "email": "grace@"}""");
        Object id = onlyOpenLetter().get("id");

        SyncBundle.Response replay = bundle().post("/sync/dead-letters/" + id + "/replay", """
                {"referenceId": "some-other-id", "firstName": "Grace", "lastName": "Chisholm", "email": "grace.chisholm@example.org"}""");

        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.json()).containsEntry("referenceId", "res-10");
        assertThat(bundle().awaitState(SOURCE, "res-10", SyncState.PENDING).donor()).containsEntry("email", "grace.chisholm@example.org");
        assertThat(bundle().entry(SOURCE, "some-other-id")).isNull();
    }

    @Test
    void thePlatformsCorrectedDonorSupersedesItsDeadLettersAndOnlyTheNewestFailureStaysOpen() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "res-11", "firstName": "Emmy", "email": "emmy@"}""");
        bundle().post("/donors", """
                {"referenceId": "res-11", "firstName": "Emmy", "email": "emmy@noether"}""");

        assertThat((String) onlyOpenLetter().get("reason")).as("the newer failure").contains("'emmy@noether'");

        SyncBundle.Response corrected = bundle().post("/donors", """
                {"referenceId": "res-11", "firstName": "Emmy", "lastName": "Noether", "email": "emmy@example.org"}""");

        assertThat(corrected.status()).isEqualTo(202);
        assertThat(bundle().awaitState(SOURCE, "res-11", SyncState.PENDING).donor()).containsEntry("email", "emmy@example.org");
        assertThat(bundle().get("/sync/dead-letters").body()).isEqualTo("[]");
        assertThat(bundle().deadLetters()).extracting(DeadLetter::outcome, DeadLetter::outcomeReason).containsExactly(
                org.assertj.core.groups.Tuple.tuple("superseded", "sent again (POST /donors) and taken for a fresh attempt"),
                org.assertj.core.groups.Tuple.tuple("superseded", "failed again later: see the newer dead letter"));
    }

    @Test
    void aDonorVirtuousRejectedIsSentAgainCorrectedByThePlatformAndItsLetterCloses() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "res-12", "name": "Germain Household", "contactType": "Spaceship"}""");
        bundle().awaitState(SOURCE, "res-12", SyncState.FAILED);
        assertThat(onlyOpenLetter().get("stage")).isEqualTo("transaction-submit");

        bundle().post("/donors", """
                {"referenceId": "res-12", "name": "Germain Household", "contactType": "Household"}""");

        bundle().awaitState(SOURCE, "res-12", SyncState.PENDING);
        assertThat(bundle().get("/sync/dead-letters").body()).isEqualTo("[]");
        assertThat(bundle().deadLetters()).singleElement().extracting(DeadLetter::outcome).isEqualTo("superseded");
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).as("the rejected one and the corrected one").isEqualTo(2);
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

    private LedgerEntry submit(String referenceId, String firstName, String lastName) throws Exception {
        SyncBundle.Response accepted = bundle().post("/donors", "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"" + firstName
                + "\",\"lastName\":\"" + lastName + "\"}");
        // once seen answered otherwise, without a log line: the answer says why
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        return bundle().awaitState(SOURCE, referenceId, SyncState.PENDING);
    }

    private Map<String, Object> onlyOpenLetter() throws Exception {
        List<Map<String, Object>> letters = await().atMost(Duration.ofSeconds(20))
                .until(() -> new com.fasterxml.jackson.databind.ObjectMapper().readValue(bundle().get("/sync/dead-letters").body(),
                        new com.fasterxml.jackson.core.type.TypeReference<List<Map<String, Object>>>() { }), list -> !list.isEmpty());
        assertThat(letters).hasSize(1);
        return letters.get(0);
    }

    private static long contactIdFor(String referenceId, List<BatchResult> batch) {
        return batch.stream().filter(r -> referenceId.equals(r.referenceId())).findFirst().orElseThrow().contactId();
    }

    private Exchange confirmation(ReferencePair reference, long contactId) {
        Exchange exchange = new DefaultExchange(bundle().context());
        exchange.getMessage().setBody(ResolutionJoin.confirmation(reference, contactId, "webhook-create", null));
        return exchange;
    }

    private static String envelope(String event, long contactId, String referenceId) {
        return "{\"event\":\"" + event + "\",\"contact\":{\"id\":" + contactId + ",\"contactReferences\":[{\"source\":\"" + SOURCE
                + "\",\"id\":\"" + referenceId + "\"}]}}";
    }

    private SyncBundle.Response deliver(String body) throws Exception {
        return bundle().deliverWebhook(SECRET, body);
    }
}
