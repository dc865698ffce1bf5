package org.contactsync.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs {@code {"event": "ContactCreate", "contact": {...}}} to every active subscription that wants the event, signed
 * with Base64(HMAC-SHA256(secret, raw body)) when the subscription has a secret. One attempt each: a failed delivery
 * stays failed, which is what the integration's polling fallback has to cope with.
 */
final class WebhookDispatcher {

    private static final System.Logger LOG = System.getLogger(WebhookDispatcher.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final SandboxSettings settings;
    private final WebhookSubscriptions subscriptions;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private final List<WebhookDelivery> deliveries = new ArrayList<>();

    WebhookDispatcher(SandboxSettings settings, WebhookSubscriptions subscriptions) {
        this.settings = settings;
        this.subscriptions = subscriptions;
    }

    void deliver(List<ImportOutcome> outcomes) {
        for (ImportOutcome outcome : outcomes) {
            String flag = outcome.result().event();
            byte[] body = SandboxJson.bytes(envelope(outcome, settings.webhookReferencesIncluded()));
            for (WebhookSubscription subscription : subscriptions.all()) {
                if (subscription.wants(flag)) {
                    record(post(subscription, flag, outcome.result().contactId(), body));
                }
            }
        }
    }

    synchronized List<WebhookDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private synchronized void record(WebhookDelivery delivery) {
        deliveries.add(delivery);
    }

    private WebhookDelivery post(WebhookSubscription subscription, String flag, long contactId, byte[] body) {
        String url = subscription.payloadUrl();
        if (!settings.webhookDeliveryEnabled()) {
            return new WebhookDelivery(url, flag, contactId, 0, WebhookDelivery.DROPPED);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (subscription.secret() != null) {
            request.header(settings.signatureHeader(), signature(subscription.secret(), body));
        }
        try {
            int status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return new WebhookDelivery(url, flag, contactId, status,
                    status >= 200 && status < 300 ? WebhookDelivery.DELIVERED : WebhookDelivery.FAILED);
        } catch (IOException unreachable) {
            LOG.log(System.Logger.Level.WARNING, "Webhook {0} to {1} failed: {2}", flag, url, unreachable.toString());
            return new WebhookDelivery(url, flag, contactId, 0, WebhookDelivery.FAILED);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return new WebhookDelivery(url, flag, contactId, 0, WebhookDelivery.FAILED);
        }
    }

    private static Map<String, Object> envelope(ImportOutcome outcome, boolean withReferences) {
        String flag = outcome.result().event();
        Map<String, Object> envelope = new LinkedHashMap<>();
        // Subscriptions use camelCase flags, deliveries PascalCase event names.
        envelope.put("event", Character.toUpperCase(flag.charAt(0)) + flag.substring(1));
        Map<String, Object> contact = new LinkedHashMap<>(outcome.contact());
        if (!withReferences) {
            contact.remove("contactReferences");
        }
        envelope.put("contact", contact);
        return envelope;
    }

    private static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException missingAlgorithm) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", missingAlgorithm);
        }
    }
}
