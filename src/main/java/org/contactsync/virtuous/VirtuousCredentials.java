package org.contactsync.virtuous;

import java.util.function.Supplier;

import org.contactsync.sandbox.EmbeddedSandbox;

/**
 * The API key for {@code Authorization: Bearer}: {@code virtuous.api.key} (from {@code VIRTUOUS_API_KEY}), or, when none
 * is set and the embedded sandbox runs, the sandbox's own key, so a first run needs no credentials.
 */
public class VirtuousCredentials implements Supplier<String> {

    private final String configuredKey;
    private final EmbeddedSandbox sandbox;

    public VirtuousCredentials(String configuredKey, EmbeddedSandbox sandbox) {
        this.configuredKey = configuredKey;
        this.sandbox = sandbox;
    }

    @Override
    public String get() {
        if (configuredKey != null && !configuredKey.isBlank()) {
            return configuredKey.strip();
        }
        if (sandbox.isRunning()) {
            return sandbox.apiKey();
        }
        throw new IllegalStateException("No Virtuous API key: set the environment variable VIRTUOUS_API_KEY (or the property virtuous.api.key)");
    }

    @Override
    public String toString() {
        return "VirtuousCredentials[****]";
    }
}
