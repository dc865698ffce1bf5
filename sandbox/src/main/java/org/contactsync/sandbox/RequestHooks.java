package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.List;

/** Actions a test wants run just before the sandbox handles a particular request, each one once. */
final class RequestHooks {

    private record Hook(String method, String pathPrefix, Runnable action) {
    }

    private final List<Hook> hooks = new ArrayList<>();

    synchronized void add(String method, String pathPrefix, Runnable action) {
        hooks.add(new Hook(method, pathPrefix, action));
    }

    /** Runs, outside the lock so that the action may call the sandbox, the first hook waiting for this request. */
    void runFirstMatching(ApiRequest request) {
        Hook matching = null;
        synchronized (this) {
            for (Hook hook : hooks) {
                if (RequestLog.matches(request.method(), request.rawPath(), hook.method(), hook.pathPrefix())) {
                    matching = hook;
                    hooks.remove(hook);
                    break;
                }
            }
        }
        if (matching != null) {
            matching.action().run();
        }
    }
}
