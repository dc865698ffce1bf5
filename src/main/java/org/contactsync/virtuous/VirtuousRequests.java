package org.contactsync.virtuous;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.ReferencePair;

/** The Virtuous endpoints the bundle uses, as requests; every value that goes into a URL is encoded here. */
public class VirtuousRequests {

    public VirtuousRequest findByReference(ReferencePair reference) {
        return new VirtuousRequest("find-by-reference", "GET", "/api/Contact/Find?referenceSource=" + encode(reference.referenceSource())
                + "&referenceId=" + encode(reference.referenceId()), null);
    }

    public VirtuousRequest findByEmail(String email) {
        return new VirtuousRequest("find-by-email", "GET", "/api/Contact/Find?email=" + encode(email), null);
    }

    /** The donor is already the Transaction's flat payload, referenceSource and referenceId included. */
    public VirtuousRequest submitTransaction(Map<String, Object> donor) {
        return new VirtuousRequest("transaction-submit", "POST", "/api/Contact/Transaction", donor);
    }

    /**
     * One Contact import for the chunk: the Batch names the referenceSource once, each item keeps the Transaction's
     * flat fields and its referenceId (the contact-batch-endpoint seed).
     */
    public VirtuousRequest submitBatch(BulkChunk chunk) {
        List<Map<String, Object>> contacts = chunk.donors().stream().map(entry -> {
            Map<String, Object> item = new LinkedHashMap<>(entry.donor());
            item.remove("referenceSource");
            return item;
        }).toList();
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("referenceSource", chunk.referenceSource());
        batch.put("contacts", contacts);
        return new VirtuousRequest("batch-submit", "POST", "/api/Contact/Batch", batch);
    }

    public VirtuousRequest contactById(long contactId) {
        return new VirtuousRequest("contact-by-id", "GET", "/api/Contact/" + contactId, null);
    }

    /** 404 while the Transaction is still held for Virtuous's import, 200 with the Contact once it is resolved. */
    public VirtuousRequest contactByReference(ReferencePair reference) {
        return new VirtuousRequest("contact-by-reference", "GET", "/api/Contact/" + encode(reference.referenceSource()) + "/"
                + encode(reference.referenceId()), null);
    }

    public VirtuousRequest webhook(long subscriptionId) {
        return new VirtuousRequest("webhook-read", "GET", "/api/Webhook/" + subscriptionId, null);
    }

    public VirtuousRequest createWebhook(Map<String, Object> subscription) {
        return new VirtuousRequest("webhook-create", "POST", "/api/Webhook", subscription);
    }

    public VirtuousRequest replaceWebhook(long subscriptionId, Map<String, Object> subscription) {
        return new VirtuousRequest("webhook-replace", "PUT", "/api/Webhook/" + subscriptionId, subscription);
    }

    /** Percent-encoding that is safe in a path segment as well as in a query value (a space is %20, never +). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
