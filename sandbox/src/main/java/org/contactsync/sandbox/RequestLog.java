package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.List;

/** Every /api request in arrival order, for tests that assert what the integration sent. */
final class RequestLog {

    private final List<RecordedRequest> requests = new ArrayList<>();

    synchronized void record(RecordedRequest request) {
        requests.add(request);
    }

    synchronized List<RecordedRequest> all() {
        return List.copyOf(requests);
    }

    synchronized void clear() {
        requests.clear();
    }

    synchronized long count(String method, String pathPrefix) {
        return requests.stream().filter(request -> matches(request.method(), request.path(), method, pathPrefix)).count();
    }

    /** The method, and a path starting with {@code pathPrefix}, both case-insensitive like the routes. */
    static boolean matches(String method, String path, String wantedMethod, String pathPrefix) {
        return method.equalsIgnoreCase(wantedMethod) && path.regionMatches(true, 0, pathPrefix, 0, pathPrefix.length());
    }
}
