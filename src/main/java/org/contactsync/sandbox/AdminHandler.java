package org.contactsync.sandbox;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Serves {@code /sandbox}, the operator's controls for a demo run: no key, no rate limit, not recorded, since it is no
 * part of the Virtuous API.
 */
final class AdminHandler implements HttpHandler {

    private final ApiRouter router;

    AdminHandler(NightlyBatch batch, ContactStore store, TransactionHold hold, ApiErrors errors) {
        router = new ApiRouter(errors)
                .add("POST", "batch", (request, parameters) -> ApiResponse.json(200, batch.run()))
                .add("GET", "contacts", (request, parameters) -> ApiResponse.json(200, store.all()))
                .add("GET", "transactions", (request, parameters) -> ApiResponse.json(200, hold.payloads()));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            router.dispatch(ApiRequest.from(exchange, "sandbox")).writeTo(exchange);
        }
    }
}
