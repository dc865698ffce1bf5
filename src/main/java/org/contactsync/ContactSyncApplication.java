package org.contactsync;

import org.apache.camel.main.Main;
import org.contactsync.bundle.SettingException;

/**
 * The bundle on its own, as the Docker image and an operator run it: Camel Main with the bundle's routes and its
 * settings from application.properties, the environment and -D properties. A host Camel runtime does not need it: it
 * adds {@link VirtuousSync} and {@link VirtuousSync#ROUTES} itself (docs/embedding.md).
 */
public final class ContactSyncApplication {

    private ContactSyncApplication() {
    }

    /**
     * Runs the bundle until it is stopped. A setting it cannot start with ends the JVM with status 2 and that setting's
     * one line on the console, not a stack trace burying it.
     */
    public static void main(String... args) throws Exception {
        Main main = new Main();
        configure(main);
        portFromEnvironment(main);
        try {
            main.run(args);
        } catch (Exception e) {
            SettingException setting = settingIn(e);
            if (setting == null) {
                throw e;
            }
            System.err.println(setting.getMessage());
            System.exit(2);
        }
    }

    /** The refused setting behind a failed start, wherever Camel wrapped it. */
    private static SettingException settingIn(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SettingException setting) {
                return setting;
            }
        }
        return null;
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
