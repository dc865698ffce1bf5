package org.contactsync.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code /api}: checks the Bearer key, spends rate budget, routes, and records the request. Every answer,
 * refusals included, carries the X-RateLimit-* headers.
 */
final class ApiHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    private static final String BEARER = "Bearer ";

    private final SandboxSettings settings;
    private final RateLimiter rateLimiter;
    private final RequestLog requestLog;
    private final ApiRouter router;
    private final RequestHooks hooks;
    private final ApiErrors errors;

    ApiHandler(SandboxSettings settings, RateLimiter rateLimiter, RequestLog requestLog, ApiRouter router, RequestHooks hooks,
               ApiErrors errors) {
        this.settings = settings;
        this.rateLimiter = rateLimiter;
        this.requestLog = requestLog;
        this.router = router;
        this.hooks = hooks;
        this.errors = errors;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            ApiRequest request = ApiRequest.from(exchange, "api");
            ApiResponse response = answer(request, exchange.getRequestHeaders().getFirst("Authorization"));
            requestLog.record(new RecordedRequest(request.method(), request.rawPath(), request.rawQuery(), response.status()));
            response.writeTo(exchange);
        }
    }

    private ApiResponse answer(ApiRequest request, String authorization) {
        if (!authorized(authorization)) {
            // An unknown caller is not attributed to the organisation, so it spends none of its budget.
            return errors.unauthorized().withHeaders(rateLimiter.peek().headers());
        }
        RateLimiter.Status budget = rateLimiter.acquire();
        if (!budget.allowed()) {
            return errors.rateLimited(budget.secondsUntilReset()).withHeaders(budget.headers());
        }
        return route(request).withHeaders(budget.headers());
    }

    private ApiResponse route(ApiRequest request) {
        try {
            hooks.runFirstMatching(request);
            return router.dispatch(request);
        } catch (RuntimeException bug) {
            LOG.log(System.Logger.Level.ERROR, "Sandbox failed on " + request.method() + " " + request.rawPath(), bug);
            return errors.serverError();
        }
    }

    private boolean authorized(String authorization) {
        String key = settings.apiKey();
        if (authorization == null || key == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] presented = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(presented, key.getBytes(StandardCharsets.UTF_8));
    }
}
