package org.contactsync.update;

import java.time.Duration;
import java.util.Map;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.ContactDiff;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The update path around the rest of the lifecycle: a write by someone else between our read and our write, a change
 * made while the donor was PENDING, and a Contact found by email that gets the donor's reference pair. The record is
 * checked again before every PUT here ({@code sync.update.recheck-after=0s}), so a test can write in between.
 */
class UpdateLifecycleTest {

    private static final String SOURCE = "PartnerPlatform";

    @RegisterExtension
    static final SyncFixture fixture = new SyncFixture().with(Map.of(
            "sync.update.recheck-after", "0s",
            "sync.webhook.public-url", "http://localhost:{{camel.server.port}}"));

    /** The bundle subscribes itself as it starts: the batch's webhooks reach it only once its subscription is there. */
    @BeforeAll
    static void awaitSubscribed() {
        String payloadUrl = bundle().uri("/webhooks/virtuous").toString();
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox().webhooks().stream().anyMatch(w -> payloadUrl.equals(w.get("payloadUrl"))));
    }

    @Test
    void aWriteBetweenOurReadAndOurWriteIsDetectedAndOurChangeReappliedOntoIt() throws Exception {
        long contactId = syncedContact("race-1");
        String contactPath = "/api/Contact/" + contactId;
        // hooks run in turn, one per GET: nothing before our read, an edit before the stamp check
        sandbox().onNextRequest("GET", contactPath, () -> { });
        sandbox().onNextRequest("GET", contactPath, () -> sandbox().editContact(contactId, contact -> contact.put("description",
                "Phoned in: prefers email")));

        bundle().post("/donors", donor("race-1", "race-1-new@example.org"));

        bundle().awaitApplied(SOURCE, "race-1");
        Map<String, Object> after = sandbox().contact(contactId);
        assertThat(after).as("the staff edit survives").containsEntry("description", "Phoned in: prefers email");
        assertThat(after.toString()).contains("race-1-new@example.org");
        assertThat(sandbox().requestCount("GET", contactPath)).as("read, check (changed), read again, check").isEqualTo(4);
        assertThat(sandbox().requestCount("PUT", contactPath)).isEqualTo(1);
        assertThat(bundle().ledger().history(bundle().entry(SOURCE, "race-1").getReference()).toString()).contains("updated: email");
    }

    @Test
    void aContactWrittenUnderUsTwiceEndsInTheDeadLetterUntouchedByUs() throws Exception {
        long contactId = syncedContact("race-2");
        String contactPath = "/api/Contact/" + contactId;
        Runnable staffEdit = () -> sandbox().editContact(contactId, contact -> contact.put("description", "edited " + System.nanoTime()));
        // read, edit, check; read again, edit, check
        sandbox().onNextRequest("GET", contactPath, () -> { });
        sandbox().onNextRequest("GET", contactPath, staffEdit);
        sandbox().onNextRequest("GET", contactPath, () -> { });
        sandbox().onNextRequest("GET", contactPath, staffEdit);
        Map<String, Object> before = sandbox().contact(contactId);

        bundle().post("/donors", donor("race-2", "race-2-new@example.org"));

        bundle().awaitState(SOURCE, "race-2", SyncState.FAILED);
        DeadLetter letter = await().until(() -> bundle().deadLetters().stream().filter(l -> "race-2".equals(l.referenceId())).findFirst()
                .orElse(null), l -> l != null);
        assertThat(letter.reason()).contains("written by someone else between our read and our write, twice");
        assertThat(sandbox().requestCount("PUT", contactPath)).isZero();
        ContactDiff.between(before, sandbox().contact(contactId)).changedOnly("description");
    }

    @Test
    void aChangeMadeWhilePendingIsAppliedOnceVirtuousResolvesTheDonor() throws Exception {
        bundle().post("/donors", donor("held-1", "held-1@example.org"));
        bundle().awaitState(SOURCE, "held-1", SyncState.PENDING);

        assertThat(bundle().post("/donors", donor("held-1", "held-1-new@example.org")).body()).contains("HELD_WHILE_PENDING");
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).as("no second Transaction").isEqualTo(1);
        sandbox().runBatch();

        LedgerEntry entry = bundle().awaitApplied(SOURCE, "held-1");
        Map<String, Object> contact = sandbox().contact(entry.contactId());
        assertThat(contact.toString()).contains("held-1@example.org").contains("held-1-new@example.org");
        assertThat(sandbox().contactCountForReference(SOURCE, "held-1")).isEqualTo(1);
        assertThat(bundle().ledger().history(entry.getReference())).extracting(step -> step.get("state"))
                .containsSubsequence("PENDING", "SYNCED", "RECEIVED", "SYNCED");
    }

    @Test
    void aContactFoundByEmailGetsTheDonorsReferencePair() throws Exception {
        long contactId = sandbox().seedContact(Map.of("referenceSource", "OtherCrm", "referenceId", "o-9", "contactType", "Household",
                "firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org"));
        Map<String, Object> before = sandbox().contact(contactId);

        bundle().post("/donors", """
                {"referenceId": "assoc-1", "firstName": "Grace", "lastName": "Hopper", "email": "grace@example.org"}""");

        LedgerEntry entry = bundle().awaitApplied(SOURCE, "assoc-1");
        assertThat(entry.contactId()).isEqualTo(contactId);
        ContactDiff.between(before, sandbox().contact(contactId)).changedOnly("contactReferences[1].");
        assertThat(sandbox().contact(contactId).get("contactReferences")).asList()
                .containsExactly(Map.of("source", "OtherCrm", "id", "o-9"), Map.of("source", SOURCE, "id", "assoc-1"));
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isZero();
    }

    private static VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }

    /** A donor found by its reference pair: SYNCED, with everything applied. */
    private long syncedContact(String referenceId) throws Exception {
        long contactId = sandbox().seedContact(Map.of("referenceSource", SOURCE, "referenceId", referenceId, "contactType", "Household",
                "firstName", "Grace", "lastName", "Hopper", "email", referenceId + "@example.org"));
        bundle().post("/donors", donor(referenceId, referenceId + "@example.org"));
        assertThat(bundle().awaitApplied(SOURCE, referenceId).contactId()).isEqualTo(contactId);
        sandbox().clearRequests();
        return contactId;
    }

    private static String donor(String referenceId, String email) {
        return """
                {"referenceId": "%s", "firstName": "Grace", "lastName": "Hopper", "email": "%s"}""".formatted(referenceId, email);
    }
}
