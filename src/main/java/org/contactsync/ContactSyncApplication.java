package org.contactsync;

import org.apache.camel.main.Main;

/**
 * The bundle on its own, as the Docker image and an operator run it: Camel Main with the bundle's routes and its
 * settings from application.properties, the environment and -D properties. A host Camel runtime does not need it: it
 * adds {@link VirtuousSync} and {@link VirtuousSync#ROUTES} itself (docs/embedding.md).
 */
public final class ContactSyncApplication {

    private ContactSyncApplication() {
    }

    public static void main(String... args) throws Exception {
        Main main = new Main();
        configure(main);
        portFromEnvironment(main);
        main.run(args);
    }

    /**
     * Binds the port {@code CAMEL_SERVER_PORT} names, as the Docker image and an operator expect: Camel Main configures
     * its server without the environment variables ending in {@code _PORT} (it takes them for Kubernetes service links),
     * though its placeholders read them, and before JVM system properties. Given as an override, so the server binds
     * what every {@code {{camel.server.port}}} resolves to: the variable wins over {@code -Dcamel.server.port}, as an
     * environment variable does for every other setting. A host's own Camel Main that wants the variable does the same.
     */
    public static void portFromEnvironment(Main main) {
        String port = System.getenv("CAMEL_SERVER_PORT");
        if (port != null && !port.isBlank()) {
            main.addOverrideProperty("camel.server.port", port.strip());
        }
    }

    /**
     * What a Camel Main needs to run the bundle: its route files and its RoutesBuilder, named as application.properties
     * names it for {@code camel run} (the same setting, so one instance whichever sets it).
     */
    public static void configure(Main main) {
        main.configure().withRoutesIncludePattern(VirtuousSync.ROUTES);
        main.configure().withRoutesBuilderClasses(VirtuousSync.class.getName());
    }
}
