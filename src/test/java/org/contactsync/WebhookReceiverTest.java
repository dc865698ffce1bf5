package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Webhooks from the sandbox's nightly batch confirm PENDING donors; bad deliveries get a 4xx and change nothing. */
class WebhookReceiverTest {

    private static final String SECRET = "webhook-test-secret";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SyncFixture fixture = new SyncFixture().with("sync.webhook.secret", SECRET);

    @BeforeAll
    static void subscribe() throws Exception {
        HttpResponse<String> subscribed = HTTP.send(HttpRequest.newBuilder(URI.create(sandbox().getBaseUrl() + "/api/Webhook"))
                .header("Authorization", "Bearer " + sandbox().getApiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"payloadUrl\":\"" + bundle().uri("/webhooks/virtuous")
                        + "\",\"secret\":\"" + SECRET + "\",\"contactCreate\":true,\"contactUpdate\":true,\"active\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(subscribed.statusCode()).isEqualTo(200);
    }

    @Test
    void thePendingDonorIsSyncedByTheContactCreateWebhook() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "hook-1", "firstName": "Annie", "lastName": "Cannon", "email": "annie@example.org"}""");
        bundle().awaitState("PartnerPlatform", "hook-1", SyncState.PENDING);

        List<BatchResult> results = sandbox().runBatch();

        long contactId = results.stream().filter(r -> "hook-1".equals(r.referenceId())).findFirst().orElseThrow().contactId();
        LedgerEntry entry = bundle().awaitState("PartnerPlatform", "hook-1", SyncState.SYNCED);
        assertThat(entry.state()).isEqualTo(SyncState.SYNCED);
        assertThat(entry.contactId()).isEqualTo(contactId);
        assertThat(entry.resolvedBy()).isEqualTo("webhook-create");
    }

    @Test
    void repeatedAndLateUpdateDeliveriesLeaveOneSyncedRowWithTheSameId() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "hook-2", "firstName": "Henrietta", "lastName": "Leavitt"}""");
        bundle().awaitState("PartnerPlatform", "hook-2", SyncState.PENDING);
        long contactId = sandbox().runBatch().stream().filter(r -> "hook-2".equals(r.referenceId())).findFirst().orElseThrow().contactId();
        String delivery = envelope("ContactUpdate", contactId, "hook-2");

        assertThat(deliver(delivery, sign(delivery)).statusCode()).isEqualTo(200);
        assertThat(deliver(delivery, sign(delivery)).statusCode()).isEqualTo(200);

        LedgerEntry entry = bundle().awaitState("PartnerPlatform", "hook-2", SyncState.SYNCED);
        assertThat(entry.state()).isEqualTo(SyncState.SYNCED);
        assertThat(entry.contactId()).isEqualTo(contactId);
        assertThat(entry.resolvedBy()).isEqualTo("webhook-create");
    }

    @Test
    void badDeliveriesGetA4xxAndChangeNothing() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "hook-3", "firstName": "Cecilia", "lastName": "Payne"}""");
        bundle().awaitState("PartnerPlatform", "hook-3", SyncState.PENDING);
        String delivery = envelope("ContactCreate", 99999, "hook-3");

        assertThat(deliver(delivery, null).statusCode()).isEqualTo(401);
        assertThat(deliver(delivery, sign(delivery + " ")).statusCode()).isEqualTo(401);
        assertThat(deliver("{not json", sign("{not json")).statusCode()).isEqualTo(400);
        String huge = "{\"event\":\"ContactCreate\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}";
        assertThat(deliver(huge, sign(huge)).statusCode()).isEqualTo(413);
        String gift = "{\"event\":\"GiftCreate\",\"gift\":{\"id\":1}}";
        assertThat(deliver(gift, sign(gift)).statusCode()).isEqualTo(400);

        assertThat(bundle().entry("PartnerPlatform", "hook-3").state()).isEqualTo(SyncState.PENDING);
        assertThat(bundle().get("/sync/status").status()).isEqualTo(200);
    }

    @Test
    void anEventForAContactThatIsNotOursIsAcknowledgedAndChangesNothing() throws Exception {
        String delivery = envelope("ContactCreate", 4242, "someone-elses-donor");

        HttpResponse<String> response = deliver(delivery, sign(delivery));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"donors\":0");
        assertThat(bundle().entry("PartnerPlatform", "someone-elses-donor")).isNull();
    }

    @Test
    void theDocumentedEnvelopeIsReadToo() throws Exception {
        bundle().post("/donors", """
                {"referenceId": "hook-4", "firstName": "Williamina", "lastName": "Fleming"}""");
        bundle().awaitState("PartnerPlatform", "hook-4", SyncState.PENDING);
        String delivery = "{\"eventType\":\"contact.created\",\"eventId\":\"e-1\",\"data\":{\"id\":777,"
                + "\"contactReferences\":[{\"source\":\"PartnerPlatform\",\"id\":\"hook-4\"}]}}";

        assertThat(deliver(delivery, hex(delivery)).statusCode()).isEqualTo(200);

        assertThat(bundle().awaitState("PartnerPlatform", "hook-4", SyncState.SYNCED).contactId()).isEqualTo(777L);
    }

    private static VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }

    private static String envelope(String event, long contactId, String referenceId) {
        return "{\"event\":\"" + event + "\",\"contact\":{\"id\":" + contactId + ",\"contactReferences\":[{\"source\":\"PartnerPlatform\",\"id\":\""
                + referenceId + "\"}]}}";
    }

    private HttpResponse<String> deliver(String body, String signature) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(bundle().uri("/webhooks/virtuous")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Virtuous-Signature", signature);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(String body) throws Exception {
        return Base64.getEncoder().encodeToString(hmac(body));
    }

    private static String hex(String body) throws Exception {
        return java.util.HexFormat.of().formatHex(hmac(body));
    }
}
