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
        main.run(args);
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
