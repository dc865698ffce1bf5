package org.contactsync.bundle;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteBuilderLifecycleStrategy;
import org.apache.camel.model.RouteDefinition;

/**
 * Gives every route the bundle's files define its id with {@code {{sync.prefix}}} resolved, as soon as the file is
 * read. Camel resolves an id only when it builds the route, but a reload ({@code camel run --dev}, with
 * camel.main.routes-reload-remove-all-routes=false) removes the running routes of an edited file by the ids it reads
 * from the file: unresolved, they match none, and the edited routes then clash with the running ones (a second
 * consumer on the same direct: endpoint). Camel applies every bean of this type to each RouteBuilder it configures, the
 * YAML files' included.
 */
public final class ResolvedRouteIds implements RouteBuilderLifecycleStrategy {

    @Override
    public void afterConfigure(RouteBuilder builder) {
        for (RouteDefinition route : builder.getRouteCollection().getRoutes()) {
            String id = route.getId();
            if (id != null && id.contains("{{")) {
                route.setId(builder.getCamelContext().resolvePropertyPlaceholders(id));
            }
        }
    }
}
