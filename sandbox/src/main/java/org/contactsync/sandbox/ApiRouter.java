package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a method and the route segments to an {@link Endpoint}. Templates are slash-separated segments: literals match
 * case-insensitively (ASP.NET routing is), {@code {number}} matches a numeric id, {@code {text}} any segment.
 * A known path with another method answers 405, an unknown path 404 with an empty body.
 */
final class ApiRouter {

    @FunctionalInterface
    interface Endpoint {
        ApiResponse handle(ApiRequest request, List<String> pathParameters);
    }

    private final List<Route> routes = new ArrayList<>();
    private final ApiErrors errors;

    ApiRouter(ApiErrors errors) {
        this.errors = errors;
    }

    ApiRouter add(String method, String template, Endpoint endpoint) {
        routes.add(new Route(method, List.of(template.split("/")), endpoint));
        return this;
    }

    ApiResponse dispatch(ApiRequest request) {
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Optional<List<String>> parameters = route.match(request.route());
            if (parameters.isPresent()) {
                if (route.method().equals(request.method())) {
                    return route.endpoint().handle(request, parameters.get());
                }
                allowed.add(route.method());
            }
        }
        return allowed.isEmpty() ? ApiResponse.empty(404) : errors.methodNotAllowed(request.method(), allowed);
    }

    private record Route(String method, List<String> template, Endpoint endpoint) {

        Optional<List<String>> match(List<String> segments) {
            if (segments.size() != template.size()) {
                return Optional.empty();
            }
            List<String> parameters = new ArrayList<>();
            for (int i = 0; i < segments.size(); i++) {
                String expected = template.get(i);
                String actual = segments.get(i);
                if (expected.equals("{text}") || expected.equals("{number}") && isId(actual)) {
                    parameters.add(actual);
                } else if (expected.startsWith("{") || !expected.equalsIgnoreCase(actual)) {
                    return Optional.empty();
                }
            }
            return Optional.of(parameters);
        }

        // At most 18 digits, so that Long.parseLong cannot overflow.
        private static boolean isId(String segment) {
            return segment.length() < 19 && segment.chars().allMatch(c -> c >= '0' && c <= '9');
        }
    }
}
