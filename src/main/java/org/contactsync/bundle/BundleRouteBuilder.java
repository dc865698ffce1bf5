package org.contactsync.bundle;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;

/**
 * The bundle's Java DSL routes: the machinery the YAML flow calls by its {@code direct:} names. Every route id and
 * endpoint carries the one prefix {@code sync.prefix} (virtuous-sync by default), so nothing collides with a host
 * runtime's own routes.
 */
public abstract class BundleRouteBuilder extends RouteBuilder {

    /** The placeholder of the prefix, resolved by Camel like any setting. */
    public static final String PREFIX = "{{sync.prefix}}";

    /** The {@code direct:} endpoint of one of the bundle's routes. */
    public static String direct(String name) {
        return "direct:" + PREFIX + "-" + name;
    }

    /** A route id, route configuration id or bean name of the bundle. */
    public static String id(String name) {
        return PREFIX + "-" + name;
    }

    /**
     * A step of the flow's machinery, {@code direct:<prefix>-<name>}: it handles no error, so a failure is its caller's
     * and the caller's stage decides (ErrorPolicies), as if the step had been written inline.
     */
    protected RouteDefinition step(String name, String description) {
        return from(direct(name)).routeId(id(name)).description(description).routeConfigurationId(id("propagate"));
    }
}
