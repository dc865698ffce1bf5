package org.contactsync.virtuous;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;


/** The Virtuous endpoints the bundle uses, as requests; every value that goes into a URL is encoded here. */
public class VirtuousRequests {

    /** The most Contacts one Query page returns (Postman text: take defaults to 10, at most 1000). */
    public static final int QUERY_PAGE = 1000;
    // Virtuous's own timestamps are UTC without a zone; its filter values are written the same way
    private static final DateTimeFormatter UTC_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    public VirtuousRequest findByReference(String referenceSource, String referenceId) {
        return new VirtuousRequest("find-by-reference", "GET", "/api/Contact/Find?referenceSource=" + encode(referenceSource)
                + "&referenceId=" + encode(referenceId), null);
    }

    public VirtuousRequest findByEmail(String email) {
        return new VirtuousRequest("find-by-email", "GET", "/api/Contact/Find?email=" + encode(email), null);
    }

    /** One donor's flat payload, referenceSource and referenceId included, given by {@code submit} as it leaves. */
    public VirtuousRequest submitTransaction(VirtuousRequest.Submit submit) {
        return new VirtuousRequest("transaction-submit", "POST", "/api/Contact/Transaction", null, submit);
    }

    /**
     * One Contact import for a chunk, given by {@code submit} as it leaves: the Batch names the referenceSource once,
     * each item keeps the Transaction's flat fields and its referenceId (the contact-batch-endpoint seed).
     */
    public VirtuousRequest submitBatch(VirtuousRequest.Submit submit) {
        return new VirtuousRequest("batch-submit", "POST", "/api/Contact/Batch", null, submit);
    }

    /** The Query condition the reconciliation filters and sorts on, as the docs guides name it (the drift guard checks it). */
    public static final String LAST_MODIFIED = "Last Modified Date";

    /**
     * A page of full Contacts (with their contactReferences) modified after {@code since}, oldest change first. The
     * condition's names are the ones the docs guides use; organisations may name them otherwise (GET /api/Contact/QueryOptions).
     */
    public VirtuousRequest modifiedSince(Instant since, int skip) {
        Map<String, Object> condition = Map.of("parameter", LAST_MODIFIED, "operator", "Is After", "value", UTC_TIMESTAMP.format(since));
        Map<String, Object> query = Map.of("groups", List.of(Map.of("conditions", List.of(condition))),
                "sortBy", LAST_MODIFIED, "descending", false);
        return new VirtuousRequest("contact-query", "POST", "/api/Contact/Query/FullContact?skip=" + skip + "&take=" + QUERY_PAGE, query);
    }

    /**
     * A page of every Contact, full (contactReferences, individuals and their contact methods), archived ones too as a
     * Find sees them, in id order: a preview's view of the organisation. No condition, so no organisation's own
     * condition names (GET /api/Contact/QueryOptions) are assumed.
     */
    public VirtuousRequest everyContact(int skip) {
        return new VirtuousRequest("contact-query", "POST", "/api/Contact/Query/FullContact?skip=" + skip + "&take=" + QUERY_PAGE,
                Map.of("groups", List.of(), "includeArchived", true));
    }

    public VirtuousRequest contactById(long contactId) {
        return new VirtuousRequest("contact-by-id", "GET", "/api/Contact/" + contactId, null);
    }

    /** 404 while the Transaction is still held for Virtuous's import, 200 with the Contact once it is resolved. */
    public VirtuousRequest contactByReference(String referenceSource, String referenceId) {
        return new VirtuousRequest("contact-by-reference", "GET", "/api/Contact/" + encode(referenceSource) + "/" + encode(referenceId), null);
    }

    /** The full Contact record, never a partial one (update-a-contact seed). */
    public VirtuousRequest updateContact(long contactId, Map<String, Object> contact) {
        return new VirtuousRequest("contact-update", "PUT", "/api/Contact/" + contactId, contact);
    }

    public VirtuousRequest contactAddress(long addressId) {
        return new VirtuousRequest("contact-address-read", "GET", "/api/ContactAddress/" + addressId, null);
    }

    public VirtuousRequest updateContactAddress(long addressId, Map<String, Object> address) {
        return new VirtuousRequest("contact-address-update", "PUT", "/api/ContactAddress/" + addressId, address);
    }

    public VirtuousRequest createContactAddress(Map<String, Object> address) {
        return new VirtuousRequest("contact-address-create", "POST", "/api/ContactAddress", address);
    }

    /** The dedicated endpoints: isArchived is never set through a Contact PUT. */
    public VirtuousRequest archive(long contactId, boolean archived) {
        return new VirtuousRequest(archived ? "contact-archive" : "contact-unarchive", "PUT",
                "/api/Contact/" + (archived ? "Archive/" : "Unarchive/") + contactId, null);
    }

    /** The organisation's Contact Types: {@code [{"parentType", "type"}]} (virtuous-api.md §1.1). */
    public VirtuousRequest contactTypes() {
        return new VirtuousRequest("contact-types", "GET", "/api/Contact/Types", null);
    }

    /** The organisation's contact method types (Home Email, Mobile Phone, ...); the answer's shape is not documented. */
    public VirtuousRequest contactMethodTypes() {
        return new VirtuousRequest("contact-method-types", "GET", "/api/ContactMethod/Types", null);
    }

    /** The custom fields enabled for Contacts; the answer's shape is not documented. */
    public VirtuousRequest contactCustomFields() {
        return new VirtuousRequest("contact-custom-fields", "GET", "/api/Contact/CustomFields", null);
    }

    /** The fields, operators and values a Contact Query may use in this organisation; the answer's shape is not documented. */
    public VirtuousRequest contactQueryOptions() {
        return new VirtuousRequest("contact-query-options", "GET", "/api/Contact/QueryOptions", null);
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
