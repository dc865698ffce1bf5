package org.contactsync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncBundle.Response;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The core flow against the sandbox over real HTTP: intake, ledger, Find by reference and email, Transaction. */
class CoreSyncTest {

    private static final String SOURCE = "PartnerPlatform";

    @RegisterExtension
    static final SyncFixture fixture = new SyncFixture();

    @Test
    void newDonorEndsPendingAfterExactlyOneTransaction() throws Exception {
        Response response = bundle().post("/donors", """
                {"referenceId": "new-1", "firstName": " Mary ", "lastName": "Somerville", "email": "Mary@Example.ORG",
                 "phone": "+44 1 555", "rsvp": "true", "tags": ["gala", "2026"]}""");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("accepted")).asList()
                .containsExactly(Map.of("referenceSource", SOURCE, "referenceId", "new-1", "admission", "NEW"));
        LedgerEntry entry = bundle().awaitState(SOURCE, "new-1", SyncState.PENDING);
        assertThat(entry.submittedAt()).isNotNull();
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        assertThat(sandbox().requestCount("GET", "/api/Contact/Find")).isEqualTo(2);
        Map<String, Object> held = heldTransaction("new-1");
        assertThat(held).containsEntry("referenceSource", SOURCE).containsEntry("firstName", "Mary")
                .containsEntry("email", "mary@example.org").containsEntry("emailType", "Home Email")
                .containsEntry("contactType", "Household").containsEntry("rsvp", true).containsEntry("tags", "gala;2026");
    }

    @Test
    void sameDonorTwiceIsOneLedgerRowAndOneTransaction() throws Exception {
        String donor = """
                {"referenceId": "twice-1", "firstName": "Emmy", "lastName": "Noether", "email": "emmy@example.org"}""";
        bundle().post("/donors", donor);
        bundle().awaitState(SOURCE, "twice-1", SyncState.PENDING);

        Response again = bundle().post("/donors", donor);

        assertThat(again.json().get("accepted")).asList()
                .containsExactly(Map.of("referenceSource", SOURCE, "referenceId", "twice-1", "admission", "UNCHANGED"));
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        assertThat(sandbox().heldTransactions()).filteredOn(t -> "twice-1".equals(t.get("referenceId"))).hasSize(1);
    }

    @Test
    void donorWhoseReferenceIsInVirtuousIsSyncedAndSubmitsNothing() throws Exception {
        long contactId = sandbox().seedContact(Map.of("firstName", "Rosalind", "lastName", "Franklin",
                "referenceSource", SOURCE, "referenceId", "known-1"));

        bundle().post("/donors", """
                {"referenceId": "known-1", "firstName": "Rosalind", "lastName": "Franklin"}""");

        LedgerEntry entry = bundle().awaitState(SOURCE, "known-1", SyncState.SYNCED);
        assertThat(entry.contactId()).isEqualTo(contactId);
        assertThat(entry.resolvedBy()).isEqualTo("found-by-reference");
        assertThat(sandbox().requestCount("POST", "/api/Contact")).isZero();
    }

    @Test
    void donorMatchedOnlyByEmailIsAssociatedByDefault() throws Exception {
        long contactId = sandbox().seedContact(Map.of("firstName", "Lise", "lastName", "Meitner", "email", "lise@example.org"));

        bundle().post("/donors", """
                {"referenceId": "by-email-1", "firstName": "Lise", "lastName": "Meitner", "email": "LISE@example.org"}""");

        LedgerEntry entry = bundle().awaitState(SOURCE, "by-email-1", SyncState.SYNCED);
        assertThat(entry.contactId()).isEqualTo(contactId);
        assertThat(entry.resolvedBy()).isEqualTo("found-by-email");
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isZero();
    }

    @Test
    void unchangedSyncedDonorMakesNoVirtuousCall() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Chien-Shiung", "lastName", "Wu", "referenceSource", SOURCE, "referenceId", "same-1"));
        String donor = """
                {"referenceId": "same-1", "firstName": "Chien-Shiung", "lastName": "Wu"}""";
        bundle().post("/donors", donor);
        bundle().awaitState(SOURCE, "same-1", SyncState.SYNCED);
        sandbox().clearRequests();

        Response again = bundle().post("/donors", donor);

        // UNCHANGED is decided before the answer and queues nothing, so there is nothing to wait for
        assertThat(again.json().get("accepted")).asList()
                .containsExactly(Map.of("referenceSource", SOURCE, "referenceId", "same-1", "admission", "UNCHANGED"));
        assertThat(sandbox().requests()).isEmpty();
    }

    @Test
    void badDonorsGoToTheDeadLetterAndTheRestOfTheBatchGoesOn() throws Exception {
        Response response = bundle().post("/donors", """
                [{"firstName": "No", "lastName": "Reference"},
                 {"referenceId": "bad-name"},
                 {"referenceId": "bad-email", "name": "Bad Email Org", "email": "not-an-email"},
                 {"referenceId": "good-in-batch", "firstName": "Mae", "lastName": "Jemison"}]""");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.json().get("rejected")).asList().hasSize(3);
        bundle().awaitState(SOURCE, "good-in-batch", SyncState.PENDING);
        List<DeadLetter> letters = bundle().deadLetters();
        assertThat(letters).anySatisfy(l -> assertThat(l.reason()).contains("referenceId: required")
                .satisfies(r -> assertThat(l.originalInput()).contains("\"No\"")));
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.referenceId()).isEqualTo("bad-name");
            assertThat(l.reason()).contains("name: required");
        });
        assertThat(letters).anySatisfy(l -> {
            assertThat(l.referenceId()).isEqualTo("bad-email");
            assertThat(l.reason()).contains("email: 'not-an-email' is not an email address");
        });
        assertThat(bundle().entry(SOURCE, "bad-email")).isNull();
    }

    @Test
    void malformedJsonIsRefusedWith400AndStoresNothing() throws Exception {
        int letters = bundle().deadLetters().size();

        Response response = bundle().post("/donors", "{\"referenceId\": \"broken\", ");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").toString()).startsWith("malformed JSON");
        assertThat(bundle().deadLetters()).as("refused as a whole: the sender has the reason, nothing is stored").hasSize(letters);
    }

    @Test
    void csvFileDropSyncsGoodRowsAndDeadLettersTheMalformedOne() throws Exception {
        Path inbox = Files.createDirectories(bundle().directory().resolve("inbox"));
        Files.writeString(inbox.resolve("drop.csv"), """
                referenceId,firstName,lastName,email
                csv-1,Dorothy,Hodgkin,dorothy@example.org
                csv-2,Too,Many,columns@example.org,extra
                csv-3,Barbara,McClintock,
                """);

        bundle().awaitState(SOURCE, "csv-1", SyncState.PENDING);
        bundle().awaitState(SOURCE, "csv-3", SyncState.PENDING);
        assertThat(bundle().deadLetters()).anySatisfy(l -> {
            assertThat(l.reason()).isEqualTo("expected 4 columns, found 5");
            assertThat(l.originalInput()).isEqualTo("csv-2,Too,Many,columns@example.org,extra");
        });
        await().until(() -> Files.exists(inbox.resolve(".done")) && !Files.exists(inbox.resolve("drop.csv")));
    }

    @Test
    void virtuousRejectionEndsInTheDeadLetterWithItsStatusAndMessage() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "rejected-1", "name": "Spaceship Owners", "contactType": "Spaceship"}""");

        bundle().awaitState(SOURCE, "rejected-1", SyncState.FAILED);
        assertThat(bundle().deadLetters()).anySatisfy(l -> {
            assertThat(l.referenceId()).isEqualTo("rejected-1");
            assertThat(l.httpStatus()).isBetween(400, 422);
            assertThat(l.virtuousMessage()).contains("Spaceship");
            assertThat(l.stage()).isEqualTo("transaction-submit");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void statusApiAnswersWhereADonorIs() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "status-1", "firstName": "Vera", "lastName": "Rubin"}""");
        bundle().awaitState(SOURCE, "status-1", SyncState.PENDING);

        Response donor = bundle().get("/sync/donors/" + SOURCE + "/status-1");
        Response unknown = bundle().get("/sync/donors/" + SOURCE + "/nobody");
        Response counts = bundle().get("/sync/status");

        assertThat(donor.status()).isEqualTo(200);
        assertThat(donor.json()).containsEntry("state", "PENDING").containsEntry("referenceId", "status-1");
        assertThat((List<Map<String, Object>>) donor.json().get("history")).extracting(step -> step.get("state"))
                .containsExactly("RECEIVED", "PENDING");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(counts.json()).containsKeys("RECEIVED", "PENDING", "SYNCED", "FAILED");
        assertThat(((Number) counts.json().get("PENDING")).intValue()).isPositive();
    }

    private static VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }

    private Map<String, Object> heldTransaction(String referenceId) {
        return sandbox().heldTransactions().stream().filter(t -> referenceId.equals(t.get("referenceId"))).findFirst().orElseThrow();
    }
}
