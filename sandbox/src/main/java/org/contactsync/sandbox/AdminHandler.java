package org.contactsync.sandbox;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code /sandbox}, the operator's controls for a demo run and what a test in another process needs to check
 * a run: no key, no rate limit, not recorded, since it is no part of the Virtuous API.
 */
final class AdminHandler implements HttpHandler {

    private final ApiRouter router;

    AdminHandler(NightlyBatch batch, ContactStore store, TransactionHold hold, WebhookDispatcher dispatcher,
                 WebhookSubscriptions webhooks, Faults faults, ApiErrors errors) {
        router = new ApiRouter(errors)
                .add("POST", "batch", (request, parameters) -> ApiResponse.json(200, batch.run()))
                .add("GET", "contacts", (request, parameters) -> ApiResponse.json(200, store.all()))
                .add("GET", "transactions", (request, parameters) -> ApiResponse.json(200, hold.payloads()))
                // per "source:id", every Transaction or Batch item taken, including those a later one replaced
                .add("GET", "submissions", (request, parameters) -> ApiResponse.json(200, hold.takes()))
                .add("GET", "deliveries", (request, parameters) -> ApiResponse.json(200, dispatcher.deliveries()))
                .add("GET", "webhooks", (request, parameters) -> ApiResponse.json(200,
                        webhooks.all().stream().map(WebhookSubscription::toJson).toList()))
                .add("GET", "faults", (request, parameters) -> ApiResponse.json(200, faults.served()));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            router.dispatch(ApiRequest.from(exchange, "sandbox")).writeTo(exchange);
        }
    }
}
