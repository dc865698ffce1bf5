package org.contactsync.sandbox;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code POST /api/Webhook} and {@code GET|PUT|DELETE /api/Webhook/{id}}; like the real API, there is no list. */
final class WebhookEndpoints {

    private static final String WEBHOOK_MODEL = "webhook";

    private final WebhookSubscriptions subscriptions;
    private final ApiErrors errors;

    WebhookEndpoints(WebhookSubscriptions subscriptions, ApiErrors errors) {
        this.subscriptions = subscriptions;
        this.errors = errors;
    }

    void register(ApiRouter router) {
        router.add("POST", "Webhook", this::create)
                .add("GET", "Webhook/{number}", this::get)
                .add("PUT", "Webhook/{number}", this::replace)
                .add("DELETE", "Webhook/{number}", this::delete);
    }

    private ApiResponse create(ApiRequest request, List<String> parameters) {
        return withValidBody(request, body -> ApiResponse.json(200, subscriptions.create(body).toJson()));
    }

    private ApiResponse get(ApiRequest request, List<String> parameters) {
        return subscriptionOrNotFound(subscriptions.get(id(parameters)));
    }

    private ApiResponse replace(ApiRequest request, List<String> parameters) {
        return withValidBody(request, body -> subscriptionOrNotFound(subscriptions.replace(id(parameters), body)));
    }

    private ApiResponse delete(ApiRequest request, List<String> parameters) {
        return ApiResponse.empty(subscriptions.delete(id(parameters)) ? 200 : 404);
    }

    private ApiResponse withValidBody(ApiRequest request, Function<ObjectNode, ApiResponse> action) {
        Optional<ObjectNode> body = request.jsonObject();
        if (body.isEmpty()) {
            return errors.invalidRequest(WEBHOOK_MODEL, FieldError.bodyNotAnObject());
        }
        List<FieldError> problems = WebhookSubscription.validate(body.get());
        return problems.isEmpty() ? action.apply(body.get()) : errors.validationFailed(WEBHOOK_MODEL, problems);
    }

    private static long id(List<String> parameters) {
        return Long.parseLong(parameters.get(0));
    }

    private static ApiResponse subscriptionOrNotFound(Optional<WebhookSubscription> subscription) {
        return subscription.map(found -> ApiResponse.json(200, found.toJson())).orElseGet(() -> ApiResponse.empty(404));
    }
}
