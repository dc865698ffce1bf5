package org.contactsync.sandbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxAdminTest {

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void adminEndpointsNeedNoKeyAndAreNotRecorded() {
        sandbox.start();
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada"));
        sandbox.clearRequests();

        List<Map<String, Object>> held = SandboxHttp.array(http.send(http.request("/sandbox/transactions").GET()));
        List<Map<String, Object>> results = SandboxHttp.array(http.send(http.request("/sandbox/batch").POST(HttpRequest.BodyPublishers.noBody())));
        List<Map<String, Object>> contacts = SandboxHttp.array(http.send(http.request("/sandbox/contacts").GET()));

        assertEquals("donor-1", held.get(0).get("referenceId"));
        assertEquals("contactCreate", results.get(0).get("event"));
        assertEquals(results.get(0).get("contactId"), contacts.get(0).get("id"));
        assertTrue(sandbox.requests().isEmpty());
        assertEquals(405, http.send(http.request("/sandbox/batch").GET()).statusCode());
    }

    @Test
    void theOrganisationsListsChangeWhileItRunsAndItsImportRefusesAndCountsWhatTheyLack() throws Exception {
        sandbox.start();
        HttpResponse<String> renamed = http.send(http.request("/sandbox/organisation/contact-method-types")
                .PUT(HttpRequest.BodyPublishers.ofString("[\"Personal Email\", \"Home Phone\"]")));
        assertEquals(200, renamed.statusCode());
        assertEquals(List.of("Personal Email", "Home Phone"), SandboxHttp.JSON.readValue(http.get("/api/ContactMethod/Types").body(), List.class));
        sandbox.renameOrganisationValue("contact-types", "Household", "Family");
        sandbox.renameOrganisationValue("custom-fields", "Donor Level", "Giving Level");
        assertEquals("Family", SandboxHttp.array(http.get("/api/Contact/Types")).get(0).get("type"));
        assertTrue(http.get("/api/Contact/CustomFields").body().contains("Giving Level"));
        assertTrue(http.get("/api/Contact/QueryOptions").body().contains(ContactQuery.LAST_MODIFIED));

        HttpResponse<String> refused = http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "d-1",
                "name", "Ada", "contactType", "Household", "email", "ada@example.org", "emailType", "Home Email",
                "customFields", Map.of("Donor Level", "Gold")));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("'Home Email' is not a contact method type"), refused.body());
        assertEquals(3, sandbox.organisationRefusals(), "the Contact Type, the email type and the custom field");
        assertEquals(200, http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "d-2",
                "name", "Ada", "contactType", "Family", "email", "ada@example.org", "emailType", "Personal Email")).statusCode());
        assertEquals(3, SandboxHttp.object(http.send(http.request("/sandbox/organisation").GET())).get("refusals"));
        assertEquals(404, http.send(http.request("/sandbox/organisation/colours").PUT(HttpRequest.BodyPublishers.ofString("[]"))).statusCode());
    }

    @Test
    void submissionsCountEveryTakeOfAPairAndDeliveriesListWhatWasSent() throws Exception {
        sandbox.start();
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada"));
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada L"));
        http.postJson("/api/Contact/Batch", Map.of("referenceSource", "PartnerPlatform",
                "contacts", List.of(Map.of("referenceId", "donor-2", "name", "Grace"))));
        http.postJson("/api/Contact/Transaction", Map.of("name", "No Reference"));
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            http.postJson("/api/Webhook", Map.of("payloadUrl", receiver.url(), "contactCreate", true, "active", true));
            sandbox.runBatch();

            Map<String, Object> submissions = SandboxHttp.object(http.send(http.request("/sandbox/submissions").GET()));
            List<Map<String, Object>> deliveries = SandboxHttp.array(http.send(http.request("/sandbox/deliveries").GET()));
            List<Map<String, Object>> webhooks = SandboxHttp.array(http.send(http.request("/sandbox/webhooks").GET()));

            assertEquals(Map.of("PartnerPlatform:donor-1", 2, "PartnerPlatform:donor-2", 1), submissions,
                    "the replaced payload still counts; a Transaction without a pair has none to count");
            assertEquals(3, deliveries.size());
            assertEquals(Map.of("payloadUrl", receiver.url(), "event", "contactCreate", "contactId", deliveries.get(0).get("contactId"),
                    "status", 200, "outcome", "delivered"), deliveries.get(0));
            assertEquals(receiver.url(), webhooks.get(0).get("payloadUrl"));
            assertTrue(sandbox.requests().stream().noneMatch(request -> request.path().startsWith("/sandbox")));
        }
    }

    @Test
    void aTestInAnotherProcessLeavesTheOrganisationLittleBudgetAndWithholdsTheAnswerOfOneRequest() throws Exception {
        sandbox.setRateLimitPerHour(100);
        sandbox.start();
        assertEquals(204, admin("/sandbox/rate-budget/leave/3").statusCode());
        assertEquals("2", http.get("/api/Contact/Types").headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals(204, admin("/sandbox/rate-budget/reset").statusCode());
        assertEquals("99", http.get("/api/Contact/Types").headers().firstValue("X-RateLimit-Remaining").orElseThrow());

        assertEquals(400, admin("/sandbox/faults/time-out-next?method=POST&path=/api/Contact/Batch").statusCode());
        assertEquals(204, admin("/sandbox/faults/time-out-next?method=POST&path=/api/Contact/Batch&holdMs=5000").statusCode());
        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada"));
        HttpRequest.Builder batch = http.request("/api/Contact/Batch").timeout(Duration.ofMillis(500))
                .header("Authorization", "Bearer " + sandbox.getApiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(SandboxHttp.JSON.writeValueAsString(Map.of("referenceSource", "PartnerPlatform",
                        "contacts", List.of(Map.of("referenceId", "donor-2", "name", "Grace"))))));

        UncheckedIOException unanswered = assertThrows(UncheckedIOException.class, () -> http.send(batch));
        assertInstanceOf(HttpTimeoutException.class, unanswered.getCause());
        assertEquals(Map.of("PartnerPlatform:donor-1", 1, "PartnerPlatform:donor-2", 1), sandbox.submissions(), "the Batch was taken");
        assertEquals(Map.of("answer withheld after handling", 1), sandbox.faultsServed());
    }

    @Test
    void recordsEveryApiRequestInOrder() {
        sandbox.start();
        http.get("/api/Contact/Find?email=nobody%40example.org");
        http.postJson("/api/Contact/Transaction", Map.of("name", "Ada"));
        http.send(http.request("/api/Contact/Types").GET());

        assertEquals(List.of(new RecordedRequest("GET", "/api/Contact/Find", "email=nobody%40example.org", 404),
                new RecordedRequest("POST", "/api/Contact/Transaction", "", 200),
                new RecordedRequest("GET", "/api/Contact/Types", "", 401)), sandbox.requests());
        assertEquals(1, sandbox.requestCount("POST", "/api/Contact/Transaction"));
        assertEquals(2, sandbox.requestCount("GET", "/api/contact"));
        sandbox.clearRequests();
        assertTrue(sandbox.requests().isEmpty());
    }

    @Test
    void scheduledBatchImportsWithoutBeingAsked() {
        sandbox.setBatchIntervalSeconds(1);
        sandbox.start();

        HttpResponse<String> accepted = http.postJson("/api/Contact/Transaction",
                Map.of("referenceSource", "PartnerPlatform", "referenceId", "donor-1", "name", "Ada"));

        assertEquals(200, accepted.statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> sandbox.contactCountForReference("PartnerPlatform", "donor-1") == 1);
    }

    @Test
    void startAndStopAreIdempotent() {
        sandbox.start();
        int port = sandbox.getPort();
        sandbox.start();

        assertEquals(port, sandbox.getPort());
        assertEquals("http://localhost:" + port, sandbox.getBaseUrl());
        sandbox.stop();
        sandbox.stop();
    }

    private HttpResponse<String> admin(String pathAndQuery) {
        return http.send(http.request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
    }
}
