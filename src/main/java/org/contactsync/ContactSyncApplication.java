package org.contactsync;

import org.apache.camel.main.Main;

/**
 * Standalone launcher for the embedded defaults (sandbox, H2 file database, sample donors).
 * An ESB does not need it: it loads {@code classpath:routes/*.camel.yaml} and the {@code virtuous.*}/{@code sync.*} properties itself.
 */
public final class ContactSyncApplication {

    /** Kept out of application.properties: there it would stop `camel run` from loading the files it is given. */
    public static final String ROUTES = "classpath:routes/*.camel.yaml";

    private ContactSyncApplication() {
    }

    public static void main(String... args) throws Exception {
        Main main = new Main();
        main.configure().withRoutesIncludePattern(ROUTES);
        main.run(args);
    }
}
