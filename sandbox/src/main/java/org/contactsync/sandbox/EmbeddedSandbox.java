package org.contactsync.sandbox;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox as the demo and SandboxMain start it: on a port, with a batch interval, and (with {@code demoContacts})
 * two Contacts that the sample donors meet: one already carrying a sample donor's reference pair, one carrying another
 * sample donor's email. {@code enabled} false leaves it stopped, so a caller can keep one code path.
 */
public class EmbeddedSandbox {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.sandbox");

    private final boolean enabled;
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final boolean demoContacts;
    private final String referenceSource;
    private final long batchIntervalSeconds;
    private volatile boolean running;

    public EmbeddedSandbox(boolean enabled, int port, long batchIntervalSeconds, boolean demoContacts, String referenceSource) {
        this.enabled = enabled;
        this.demoContacts = demoContacts;
        this.referenceSource = referenceSource;
        this.batchIntervalSeconds = batchIntervalSeconds;
        sandbox.setPort(port);
        sandbox.setBatchIntervalSeconds(batchIntervalSeconds);
    }

    public void start() {
        if (!enabled) {
            return;
        }
        sandbox.start();
        running = true;
        if (demoContacts) {
            sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org",
                    "referenceSource", referenceSource, "referenceId", "donor-1001"));
            sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace.hopper@example.org",
                    "address1", "1 Navy Way", "city", "Arlington", "state", "VA", "postal", "22201"));
        }
        LOG.info("Local Virtuous CRM+ sandbox listening on {}, nightly batch every {}s", sandbox.getBaseUrl(), batchIntervalSeconds);
    }

    public void stop() {
        if (running) {
            running = false;
            sandbox.stop();
        }
    }

    public boolean isRunning() {
        return running;
    }

    public String apiKey() {
        return sandbox.getApiKey();
    }

    public VirtuousSandbox sandbox() {
        return sandbox;
    }
}
