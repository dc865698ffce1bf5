package org.contactsync.webhook;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import org.contactsync.ledger.SyncDatabase;

import org.contactsync.virtuous.VirtuousRequest;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this bundle subscribed to Virtuous's contactCreate and contactUpdate webhooks. Virtuous has no list endpoint,
 * so the subscription's id is kept in the database (one subscription per ledger, shared by every node); a subscription
 * that was deleted is made again, one deactivated or pointed elsewhere is put back. The payload URL is
 * {@code sync.webhook.public-url} + {@code /webhooks/virtuous}; with no public URL nothing is subscribed (subscribe by hand).
 */
public class WebhookSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.webhook");
    private static final String PATH = "/webhooks/virtuous";
    private static final String NAME = "contact-events";

    private final SyncDatabase database;
    private final Clock clock;
    private final VirtuousRequests requests;
    private final String payloadUrl;
    private final String secret;

    public WebhookSubscriber(SyncDatabase database, Clock clock, VirtuousRequests requests, String publicUrl, String secret) {
        this.database = database;
        this.clock = clock;
        this.requests = requests;
        this.payloadUrl = publicUrl.isBlank() ? null : publicUrl.strip().replaceAll("/+$", "") + PATH;
        this.secret = secret;
    }

    public boolean isWanted() {
        return payloadUrl != null;
    }

    /** Reads the subscription made earlier, or null when there is none to read. */
    public VirtuousRequest readRequest() {
        Long id = storedId();
        return id == null ? null : requests.webhook(id);
    }

    /** What to send so Virtuous delivers here: nothing when {@code current} already does. */
    public VirtuousRequest reconcile(Map<String, Object> current) {
        if (current == null) {
            return requests.createWebhook(desired());
        }
        boolean upToDate = payloadUrl.equals(current.get("payloadUrl")) && Boolean.TRUE.equals(current.get("active"))
                && Boolean.TRUE.equals(current.get("contactCreate")) && Boolean.TRUE.equals(current.get("contactUpdate"));
        if (upToDate) {
            LOG.debug("webhook subscription {} delivers to {}", current.get("id"), payloadUrl);
            return null;
        }
        return requests.replaceWebhook(storedId(), desired());
    }

    /** Keeps the id of the subscription Virtuous answered with. */
    public void record(Map<String, Object> saved) {
        long id = ((Number) saved.get("id")).longValue();
        database.transactions().executeWithoutResult(status -> {
            database.jdbc().update("DELETE FROM webhook_subscription WHERE name = ?", NAME);
            database.jdbc().update("INSERT INTO webhook_subscription (name, subscription_id, payload_url, subscribed_at) VALUES (?, ?, ?, ?)",
                    NAME, id, payloadUrl, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC));
        });
        LOG.info("webhook subscription {}: Virtuous delivers contactCreate and contactUpdate to {}{}", id, payloadUrl,
                secret.isEmpty() ? " (unsigned: set SYNC_WEBHOOK_SECRET so deliveries can be authenticated)" : "");
    }

    private Long storedId() {
        return database.jdbc().queryForList("SELECT subscription_id FROM webhook_subscription WHERE name = ?", Long.class, NAME).stream()
                .findFirst().orElse(null);
    }

    private Map<String, Object> desired() {
        Map<String, Object> subscription = new LinkedHashMap<>();
        subscription.put("payloadUrl", payloadUrl);
        subscription.put("secret", secret);
        subscription.put("contactCreate", true);
        subscription.put("contactUpdate", true);
        for (String other : new String[] {"giftCreate", "giftUpdate", "giftDelete", "projectCreate", "projectUpdate", "projectDelete",
                "formSubmission", "contactNoteCreate", "contactNoteUpdate", "contactNoteDelete", "eventCreate", "eventUpdate",
                "eventDelete"}) {
            subscription.put(other, false);
        }
        subscription.put("active", true);
        return subscription;
    }
}
