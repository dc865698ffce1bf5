package org.contactsync.sandbox;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code /sandbox}, the operator's controls for a demo run and what a test in another process needs to check
 * a run: no key, no rate limit, not recorded, since it is no part of the Virtuous API.
 */
final class AdminHandler implements HttpHandler {

    private final ApiRouter router;

    AdminHandler(NightlyBatch batch, ContactStore store, TransactionHold hold, WebhookDispatcher dispatcher,
                 WebhookSubscriptions webhooks, Faults faults, RateLimiter rateLimiter, ApiErrors errors, OrganisationLists organisation) {
        router = new ApiRouter(errors)
                .add("POST", "batch", (request, parameters) -> ApiResponse.json(200, batch.run()))
                .add("GET", "contacts", (request, parameters) -> ApiResponse.json(200, store.all()))
                .add("GET", "transactions", (request, parameters) -> ApiResponse.json(200, hold.payloads()))
                // per "source:id", every Transaction or Batch item taken, including those a later one replaced
                .add("GET", "submissions", (request, parameters) -> ApiResponse.json(200, hold.takes()))
                .add("GET", "deliveries", (request, parameters) -> ApiResponse.json(200, dispatcher.deliveries()))
                .add("GET", "webhooks", (request, parameters) -> ApiResponse.json(200,
                        webhooks.all().stream().map(WebhookSubscription::toJson).toList()))
                .add("GET", "faults", (request, parameters) -> ApiResponse.json(200, faults.served()))
                // ?method=POST&path=/api/Contact/Batch&holdMs=5000: the next such request is handled, its answer withheld
                .add("POST", "faults/time-out-next", (request, parameters) -> timeOutNext(faults, request))
                // the organisation's other integrations spend all but {number} requests of the window; reset gives it back
                .add("POST", "rate-budget/leave/{number}", (request, parameters) -> {
                    rateLimiter.leave((int) Math.min(Integer.MAX_VALUE, Long.parseLong(parameters.get(0))));
                    return ApiResponse.empty(204);
                })
                .add("POST", "rate-budget/reset", (request, parameters) -> {
                    rateLimiter.reset();
                    return ApiResponse.empty(204);
                })
                // the organisation's lists and how many payload values they refused; PUT replaces one list with a JSON
                // array of names, as an administrator renaming a type in the UI
                .add("GET", "organisation", (request, parameters) -> ApiResponse.json(200, organisation.toJson()))
                .add("PUT", "organisation/{text}", (request, parameters) -> replaceList(organisation, parameters.get(0), request, errors));
    }

    private static ApiResponse timeOutNext(Faults faults, ApiRequest request) {
        String method = request.queryParameter("method");
        String path = request.queryParameter("path");
        String hold = request.queryParameter("holdMs");
        if (method == null || path == null || hold == null || hold.length() > 18 || !hold.chars().allMatch(Character::isDigit)) {
            return ApiResponse.json(400, Map.of("message", "method, path and holdMs (milliseconds) are required."));
        }
        faults.plan(new Faults.TimeOut(Duration.ofMillis(Long.parseLong(hold))), 1, method, path);
        return ApiResponse.empty(204);
    }

    private static ApiResponse replaceList(OrganisationLists organisation, String list, ApiRequest request, ApiErrors errors) {
        JsonNode body;
        try {
            body = SandboxJson.MAPPER.readTree(request.body());
        } catch (IOException malformed) {
            body = null;
        }
        if (body == null || !body.isArray()) {
            return errors.invalidRequest(null, new FieldError(null, "INVALID_JSON", "The request body must be a JSON array of names."));
        }
        List<String> names = new ArrayList<>();
        body.forEach(name -> names.add(name.asText()));
        try {
            organisation.replace(list, names);
        } catch (IllegalArgumentException unknown) {
            return ApiResponse.empty(404);
        }
        return ApiResponse.json(200, organisation.toJson());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            router.dispatch(ApiRequest.from(exchange, "sandbox")).writeTo(exchange);
        }
    }
}
