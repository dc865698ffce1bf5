package org.contactsync.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code /api}: serves a planned or random fault, or checks the Bearer key, spends rate budget, routes, and
 * records the request. Every answer, refusals and injected failures included, carries the X-RateLimit-* headers.
 * Delayed and withheld answers wait on the scheduler, not on an HTTP thread, so a held request never blocks the others.
 */
final class ApiHandler implements HttpHandler {

    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());
    private static final String BEARER = "Bearer ";

    private final SandboxSettings settings;
    private final RateLimiter rateLimiter;
    private final RequestLog requestLog;
    private final ApiRouter router;
    private final RequestHooks hooks;
    private final Faults faults;
    private final ScheduledExecutorService answers;
    private final ApiErrors errors;

    ApiHandler(SandboxSettings settings, RateLimiter rateLimiter, RequestLog requestLog, ApiRouter router, RequestHooks hooks,
               Faults faults, ScheduledExecutorService answers, ApiErrors errors) {
        this.settings = settings;
        this.rateLimiter = rateLimiter;
        this.requestLog = requestLog;
        this.router = router;
        this.hooks = hooks;
        this.faults = faults;
        this.answers = answers;
        this.errors = errors;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        ApiRequest request = ApiRequest.from(exchange, "api");
        Faults.Fault fault = faults.next(request.method(), request.rawPath()).orElse(null);
        if (fault instanceof Faults.Reset) {
            finish(exchange, request, null, Duration.ZERO);
        } else if (fault instanceof Faults.Canned canned) {
            finish(exchange, request, ApiResponse.raw(canned.status(), canned.body()).withHeaders(rateLimiter.peek().headers()), latency());
        } else if (fault instanceof Faults.Failure failure) {
            finish(exchange, request, errors.injected(failure.status()).withHeaders(rateLimiter.peek().headers()), latency());
        } else if (fault instanceof Faults.Throttle throttle) {
            finish(exchange, request, errors.rateLimited(throttle.retryAfterSeconds()).withHeaders(rateLimiter.peek().headers()), latency());
        } else {
            ApiResponse response = answer(request, exchange.getRequestHeaders().getFirst("Authorization"));
            if (fault instanceof Faults.TimeOut timeOut) {
                finish(exchange, request, null, timeOut.hold());
            } else if (fault instanceof Faults.FailureAfter failure) {
                // the request took effect; the client is told it failed
                finish(exchange, request, errors.injected(failure.status()).withHeaders(rateLimiter.peek().headers()), latency());
            } else {
                finish(exchange, request, response, latency());
            }
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

    /** Records the request and, after {@code delay}, sends the answer, or with none closes the connection without one. */
    private void finish(HttpExchange exchange, ApiRequest request, ApiResponse response, Duration delay) {
        requestLog.record(new RecordedRequest(request.method(), request.rawPath(), request.rawQuery(), response == null ? 0 : response.status()));
        if (delay.isZero()) {
            send(exchange, response);
        } else {
            answers.schedule(() -> send(exchange, response), delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static void send(HttpExchange exchange, ApiResponse response) {
        try (exchange) {
            if (response != null) {
                response.writeTo(exchange);
            }
        } catch (IOException clientGone) {
            LOG.log(System.Logger.Level.DEBUG, "Client left before its answer: {0}", clientGone.toString());
        }
    }

    private Duration latency() {
        return Duration.ofMillis(settings.latencyMillis());
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
