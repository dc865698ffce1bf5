package org.contactsync.sandbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
}
