package org.contactsync.virtuous;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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

    /** Percent-encoding that is safe in a path segment as well as in a query value (a space is %20, never +). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
