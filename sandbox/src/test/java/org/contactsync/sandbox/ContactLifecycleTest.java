package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Archive and unarchive, and what a merged or deleted Contact looks like to a client. */
class ContactLifecycleTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T14:20:56Z"));
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private long ada;

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.start();
        ada = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org",
                "referenceSource", "PartnerPlatform", "referenceId", "donor-1"));
        clock.advance(Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void archiveAndUnarchiveHaveTheirOwnEndpoints() {
        HttpResponse<String> archived = http.send(http.request("/api/Contact/Archive/" + ada)
                .header("Authorization", "Bearer " + sandbox.getApiKey()).PUT(HttpRequest.BodyPublishers.noBody()));

        assertThat(archived.statusCode()).isEqualTo(200);
        assertThat(archived.body()).isEmpty();
        assertThat(contact()).containsEntry("isArchived", true).containsEntry("modifiedDateTimeUtc", "2026-11-21T14:21:56.0000000");

        assertThat(http.put("/api/Contact/Unarchive/" + ada, Map.of("reason", "back again")).statusCode()).isEqualTo(200);
        assertThat(contact()).containsEntry("isArchived", false);
        assertThat(http.put("/api/Contact/Archive/999999", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void isArchivedSentThroughPutIsIgnored() {
        Map<String, Object> contact = contact();
        contact.put("isArchived", true);
        assertThat(SandboxHttp.object(http.put("/api/Contact/" + ada, contact))).containsEntry("isArchived", false);

        http.put("/api/Contact/Archive/" + ada, Map.of());
        Map<String, Object> archived = contact();
        archived.put("isArchived", false);
        archived.put("description", "still archived");
        assertThat(SandboxHttp.object(http.put("/api/Contact/" + ada, archived)))
                .containsEntry("isArchived", true)
                .containsEntry("description", "still archived");
    }

    @Test
    void mergedContactIsA404AndItsReferenceLeadsToTheSurvivor() {
        long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org"));
        Object adaIndividual = ((Map<?, ?>) ((List<?>) contact().get("contactIndividuals")).get(0)).get("id");

        sandbox.mergeContact(ada, grace);

        assertThat(http.get("/api/Contact/" + ada).statusCode()).isEqualTo(404);
        assertThat(http.put("/api/Contact/" + ada, Map.of("contactType", "Household", "name", "Ada")).statusCode()).isEqualTo(404);
        assertThat(http.get("/api/ContactIndividual/" + adaIndividual).statusCode()).isEqualTo(404);
        assertThat(SandboxHttp.object(http.get("/api/Contact/PartnerPlatform/donor-1")).get("id")).isEqualTo((int) grace);
        assertThat(sandbox.contact(ada)).containsEntry("mergedIntoContactId", (int) grace).containsEntry("contactReferences", List.of());
        assertThat(sandbox.contactCountForReference("PartnerPlatform", "donor-1")).isEqualTo(1);
    }

    @Test
    void mergeSendsContactUpdateForTheMergedContact() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            http.postJson("/api/Webhook", receiver.subscription("secret"));
            long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper"));

            sandbox.mergeContact(ada, grace);

            assertThat(sandbox.deliveries()).containsExactly(new WebhookDelivery(receiver.url(), "contactUpdate", ada, 200, "delivered"));
            Map<?, ?> envelope = SandboxHttp.JSON.readValue(receiver.received().get(0).body(), Map.class);
            assertThat(envelope.get("event")).isEqualTo("ContactUpdate");
            assertThat(((Map<?, ?>) envelope.get("contact")).get("mergedIntoContactId")).isEqualTo((int) grace);
        }
    }

    @Test
    void nightlyBatchMatchesTheSurvivorNotTheMergedContact() {
        long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper"));
        sandbox.mergeContact(ada, grace);

        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "firstName", "Ada"));
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-2", "email", "ada@example.org"));

        List<BatchResult> results = sandbox.runBatch();
        assertThat(results.get(0)).isEqualTo(new BatchResult("contactUpdate", grace, "PartnerPlatform", "donor-1"));
        assertThat(results.get(1).event()).as("the merged Contact's email matches nothing").isEqualTo("contactCreate");
    }

    @Test
    void deletedContactIsA404Everywhere() {
        sandbox.deleteContact(ada);

        assertThat(http.get("/api/Contact/" + ada).statusCode()).isEqualTo(404);
        assertThat(http.get("/api/Contact/Find?email=ada%40example.org").statusCode()).isEqualTo(404);
        assertThat(http.put("/api/Contact/Archive/" + ada, Map.of()).statusCode()).isEqualTo(404);
        assertThat(sandbox.contact(ada)).isNull();
        assertThatThrownBy(() -> sandbox.deleteContact(ada)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void contactImportedWithoutANameCanStillBeArchivedAndGetAddresses() {
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-9", "email", "anon@example.org"));
        long unnamed = sandbox.runBatch().get(0).contactId();

        assertThat(http.put("/api/Contact/Archive/" + unnamed, Map.of()).statusCode()).isEqualTo(200);
        assertThat(http.postJson("/api/ContactAddress", Map.of("contactId", unnamed, "address1", "1 Main Street")).statusCode()).isEqualTo(200);
        assertThat(sandbox.contact(unnamed)).containsEntry("name", null);
    }

    private Map<String, Object> contact() {
        HttpResponse<String> response = http.get("/api/Contact/" + ada);
        assertThat(response.statusCode()).isEqualTo(200);
        return SandboxHttp.object(response);
    }
}
