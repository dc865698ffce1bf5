package org.contactsync.virtuous;

import java.util.function.Supplier;

import org.apache.camel.CamelContext;

/**
 * The API key for {@code Authorization: Bearer}: {@code virtuous.api.key} (from {@code VIRTUOUS_API_KEY}). The property
 * is resolved on every request, so a key replaced in the property source while the bundle runs (a system property, a
 * refreshed vault secret) is used from the next request on, which is how a refused key is fixed without a restart.
 */
public class VirtuousCredentials implements Supplier<String> {

    private static final String KEY = "{{virtuous.api.key}}";

    private final CamelContext camelContext;

    public VirtuousCredentials(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /** Whether there is a key to send now; the access gate holds every call while there is none. */
    public boolean isSet() {
        String key = camelContext.resolvePropertyPlaceholders(KEY);
        return key != null && !key.isBlank();
    }

    @Override
    public String get() {
        String key = camelContext.resolvePropertyPlaceholders(KEY);
        if (key == null || key.isBlank()) {
            // only when the key went away between the gate's look and this request
            throw new IllegalStateException("No Virtuous API key: set the environment variable VIRTUOUS_API_KEY (or the property virtuous.api.key)");
        }
        return key.strip();
    }

    @Override
    public String toString() {
        return "VirtuousCredentials[****]";
    }
}
