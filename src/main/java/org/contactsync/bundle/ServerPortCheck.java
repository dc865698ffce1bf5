package org.contactsync.bundle;

import java.util.Optional;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Stops the start when {@code camel.server.port}, as Camel's placeholders resolve it, is not the port the HTTP server
 * listens on. The two can differ: Camel Main configures its server without the environment variables that end in
 * {@code _PORT} (it takes them for Kubernetes service links), while placeholders read {@code CAMEL_SERVER_PORT}; so a
 * host's Camel Main, or {@code camel run}, given only that variable listens on its own port while everything derived
 * from {@code {{camel.server.port}}} (the node's name, a demo's {@code sync.webhook.public-url}) names another, and
 * Virtuous would post its webhooks where nobody listens. A host whose server is configured elsewhere (Spring Boot's
 * {@code server.port}) and leaves {@code camel.server.port} unset is not checked.
 */
public final class ServerPortCheck extends ServiceSupport {

    static final String KEY = "camel.server.port";

    private final CamelContext context;

    public ServerPortCheck(CamelContext context) {
        this.context = context;
    }

    @Override
    protected void doStart() {
        Optional<String> setting = context.getPropertiesComponent().resolveProperty(KEY).map(String::strip);
        PlatformHttpComponent component = context.hasComponent("platform-http") instanceof PlatformHttpComponent http ? http : null;
        PlatformHttpEngine engine = component == null ? null : component.getEngine();
        if (setting.isEmpty() || engine == null) {
            return;
        }
        int listening = engine.getServerPort();
        if (!setting.get().equals(String.valueOf(listening))) {
            throw new SettingException(KEY + ": '" + setting.get() + "' is not the port the HTTP server listens on (" + listening
                    + "); Camel Main does not bind CAMEL_SERVER_PORT: set " + KEY + " as a property (-D" + KEY + ", camel run --port)");
        }
    }
}
