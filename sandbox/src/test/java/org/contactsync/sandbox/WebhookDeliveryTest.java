package org.contactsync.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookDeliveryTest {

    private static final String SECRET = "s3cret-shared-with-virtuous";

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private final WebhookReceiver receiver = new WebhookReceiver();

    @BeforeEach
    void start() {
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
        receiver.close();
    }

    @Test
    void subscriptionsCanBeCreatedReadReplacedAndDeleted() {
        HttpResponse<String> created = http.postJson("/api/Webhook", receiver.subscription(SECRET));
        assertEquals(200, created.statusCode());
        Map<String, Object> subscription = SandboxHttp.object(created);
        long id = ((Number) subscription.get("id")).longValue();
        assertEquals(receiver.url(), subscription.get("payloadUrl"));
        assertEquals(true, subscription.get("contactCreate"));
        assertEquals(false, subscription.get("giftCreate"));
        assertEquals(true, subscription.get("active"));

        assertEquals(subscription, SandboxHttp.object(http.get("/api/Webhook/" + id)));
        Map<String, Object> replaced = SandboxHttp.object(http.put("/api/Webhook/" + id,
                Map.of("payloadUrl", receiver.url(), "contactCreate", true, "active", false)));
        assertEquals(false, replaced.get("active"));
        assertEquals(false, replaced.get("contactUpdate"));
        assertEquals(List.of(replaced), sandbox.webhooks());

        assertEquals(200, http.delete("/api/Webhook/" + id).statusCode());
        assertEquals(404, http.get("/api/Webhook/" + id).statusCode());
        assertEquals(404, http.delete("/api/Webhook/" + id).statusCode());
        assertEquals(405, http.get("/api/Webhook").statusCode(), "there is no list endpoint");
    }

    @Test
    void subscriptionNeedsAnAbsolutePayloadUrl() {
        HttpResponse<String> refused = http.postJson("/api/Webhook", Map.of("payloadUrl", "/relative", "active", true));

        assertEquals(400, refused.statusCode());
        assertEquals(List.of("webhook.payloadUrl"), List.copyOf(((Map<?, ?>) SandboxHttp.object(refused).get("modelState")).keySet()));
    }

    @Test
    void batchDeliversASignedEnvelopeWithTheFullContact() throws Exception {
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        submit("donor-1", "ada@example.org");

        long id = sandbox.runBatch().get(0).contactId();

        assertEquals(1, receiver.received().size());
        WebhookReceiver.Received delivery = receiver.received().get(0);
        assertEquals("application/json", delivery.headers().getFirst("Content-Type"));
        assertEquals(hmacBase64(SECRET, delivery.body()), delivery.headers().getFirst("X-Virtuous-Signature"));
        Map<?, ?> envelope = SandboxHttp.JSON.readValue(delivery.body(), Map.class);
        assertEquals(List.of("event", "contact"), List.copyOf(envelope.keySet()));
        assertEquals("ContactCreate", envelope.get("event"));
        assertEquals(sandbox.contact(id), SandboxHttp.JSON.convertValue(envelope.get("contact"), Map.class));
        assertEquals(List.of(new WebhookDelivery(receiver.url(), "contactCreate", id, 200, "delivered")), sandbox.deliveries());
    }

    @Test
    void withoutReferencesTheDeliveredContactIsTheFullContactLessItsContactReferences() throws Exception {
        sandbox.setWebhookReferencesIncluded(false);
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        submit("donor-3", "emmy@example.org");

        long id = sandbox.runBatch().get(0).contactId();

        Map<?, ?> delivered = (Map<?, ?>) SandboxHttp.JSON.readValue(receiver.received().get(0).body(), Map.class).get("contact");
        Map<String, Object> expected = new java.util.LinkedHashMap<>(sandbox.contact(id));
        assertFalse(((List<?>) expected.remove("contactReferences")).isEmpty(), "the Contact itself holds the reference");
        assertEquals(expected, SandboxHttp.JSON.convertValue(delivered, Map.class));
    }

    @Test
    void mergeDeliversContactUpdateUnderAConfiguredHeader() throws Exception {
        sandbox.setSignatureHeader("X-Signature");
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org"));
        submit("donor-2", "grace@example.org");

        sandbox.runBatch();

        WebhookReceiver.Received delivery = receiver.received().get(0);
        Map<?, ?> envelope = SandboxHttp.JSON.readValue(delivery.body(), Map.class);
        assertEquals("ContactUpdate", envelope.get("event"));
        assertEquals(grace, ((Number) ((Map<?, ?>) envelope.get("contact")).get("id")).longValue());
        assertEquals(hmacBase64(SECRET, delivery.body()), delivery.headers().getFirst("X-Signature"));
    }

    @Test
    void batchItemsAreMatchedImportedAndAnnouncedLikeTransactions() throws Exception {
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org"));
        sandbox.clearRequests();

        HttpResponse<String> accepted = http.postJson("/api/Contact/Batch", Map.of("referenceSource", "PartnerPlatform", "contacts", List.of(
                Map.of("referenceId", "donor-11", "firstName", "Mary", "lastName", "Somerville"),
                Map.of("referenceId", "donor-12", "firstName", "Amazing", "lastName", "Grace", "email", "grace@example.org"),
                Map.of("referenceId", "donor-11", "firstName", "Mary", "lastName", "Somerville", "email", "mary@example.org"))));
        List<BatchResult> results = sandbox.runBatch();

        assertEquals(200, accepted.statusCode());
        assertEquals(1, sandbox.requests().size());
        long mary = results.get(1).contactId();
        assertEquals(List.of(new BatchResult("contactUpdate", grace, "PartnerPlatform", "donor-12"),
                new BatchResult("contactCreate", mary, "PartnerPlatform", "donor-11")), results);
        assertEquals(List.of(new WebhookDelivery(receiver.url(), "contactUpdate", grace, 200, "delivered"),
                new WebhookDelivery(receiver.url(), "contactCreate", mary, 200, "delivered")), sandbox.deliveries());
        Map<?, ?> created = SandboxHttp.JSON.readValue(receiver.received().get(1).body(), Map.class);
        assertEquals(List.of(Map.of("source", "PartnerPlatform", "id", "donor-11")), ((Map<?, ?>) created.get("contact")).get("contactReferences"));
        assertEquals(200, http.get("/api/Contact/Find?email=mary%40example.org").statusCode(), "the later item for a pair replaced the earlier");
    }

    @Test
    void onlyActiveSubscriptionsWithTheEventFlagAreCalled() {
        http.postJson("/api/Webhook", Map.of("payloadUrl", receiver.url(), "contactCreate", false, "contactUpdate", true, "active", true));
        http.postJson("/api/Webhook", Map.of("payloadUrl", receiver.url(), "contactCreate", true, "active", false));
        submit("donor-1", "ada@example.org");

        sandbox.runBatch();

        assertTrue(receiver.received().isEmpty());
        assertTrue(sandbox.deliveries().isEmpty());
    }

    @Test
    void subscriptionWithoutSecretIsNotSigned() {
        http.postJson("/api/Webhook", Map.of("payloadUrl", receiver.url(), "contactCreate", true, "active", true));
        submit("donor-1", "ada@example.org");

        sandbox.runBatch();

        assertFalse(receiver.received().get(0).headers().containsKey("X-Virtuous-Signature"));
    }

    @Test
    void disabledDeliveryDropsTheWebhooks() {
        sandbox.setWebhookDeliveryEnabled(false);
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        submit("donor-1", "ada@example.org");

        long id = sandbox.runBatch().get(0).contactId();

        assertTrue(receiver.received().isEmpty());
        assertEquals(List.of(new WebhookDelivery(receiver.url(), "contactCreate", id, 0, "dropped")), sandbox.deliveries());
    }

    @Test
    void receiverErrorsAreRecordedAsFailed() {
        receiver.answerWith(500);
        http.postJson("/api/Webhook", receiver.subscription(SECRET));
        submit("donor-1", "ada@example.org");

        long id = sandbox.runBatch().get(0).contactId();

        assertEquals(List.of(new WebhookDelivery(receiver.url(), "contactCreate", id, 500, "failed")), sandbox.deliveries());
    }

    @Test
    void receiverMayCallBackIntoTheApiWhileHandlingADelivery() throws IOException {
        List<Integer> callbackStatuses = new CopyOnWriteArrayList<>();
        HttpServer callingBack = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        callingBack.createContext("/", exchange -> {
            try (exchange) {
                Map<?, ?> envelope = SandboxHttp.JSON.readValue(exchange.getRequestBody().readAllBytes(), Map.class);
                Object id = ((Map<?, ?>) envelope.get("contact")).get("id");
                callbackStatuses.add(http.get("/api/Contact/" + id).statusCode());
                exchange.sendResponseHeaders(200, -1);
            }
        });
        callingBack.start();
        try {
            http.postJson("/api/Webhook", Map.of("payloadUrl", "http://localhost:" + callingBack.getAddress().getPort() + "/",
                    "contactCreate", true, "active", true));
            submit("donor-1", "ada@example.org");

            sandbox.runBatch();

            assertEquals(List.of(200), callbackStatuses);
        } finally {
            callingBack.stop(0);
        }
    }

    private void submit(String referenceId, String email) {
        assertEquals(200, http.postJson("/api/Contact/Transaction", Map.of("referenceSource", "PartnerPlatform",
                "referenceId", referenceId, "firstName", "Test", "lastName", "Donor", "email", email)).statusCode());
    }

    private static String hmacBase64(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
