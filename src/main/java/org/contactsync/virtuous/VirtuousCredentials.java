package org.contactsync.virtuous;

import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.contactsync.sandbox.EmbeddedSandbox;

/**
 * The API key for {@code Authorization: Bearer}: {@code virtuous.api.key} (from {@code VIRTUOUS_API_KEY}), or, when none
 * is set and the embedded sandbox runs, the sandbox's own key, so a first run needs no credentials. The property is
 * resolved on every request, so a key replaced in the property source while the bundle runs (a system property, a
 * refreshed vault secret) is used from the next request on, which is how a refused key is fixed without a restart.
 */
public class VirtuousCredentials implements Supplier<String>, CamelContextAware {

    private static final String KEY = "{{virtuous.api.key:}}";

    private final EmbeddedSandbox sandbox;
    private CamelContext camelContext;

    public VirtuousCredentials(EmbeddedSandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public String get() {
        String configuredKey = camelContext.resolvePropertyPlaceholders(KEY);
        if (configuredKey != null && !configuredKey.isBlank()) {
            return configuredKey.strip();
        }
        if (sandbox.isRunning()) {
            return sandbox.apiKey();
        }
        throw new IllegalStateException("No Virtuous API key: set the environment variable VIRTUOUS_API_KEY (or the property virtuous.api.key)");
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public String toString() {
        return "VirtuousCredentials[****]";
    }
}
