package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds error answers in the configured {@link ErrorStyle}. */
final class ApiErrors {

    private static final String INVALID_REQUEST = "The request is invalid.";

    private final SandboxSettings settings;

    ApiErrors(SandboxSettings settings) {
        this.settings = settings;
    }

    ApiResponse unauthorized() {
        return plain(401, "UNAUTHENTICATED", "Authorization has been denied for this request.");
    }

    ApiResponse rateLimited(long retryAfterSeconds) {
        return plain(429, "RATE_LIMITED", "Rate limit exceeded. Retry after " + retryAfterSeconds + " seconds.")
                .withHeaders(Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    ApiResponse methodNotAllowed(String method, Collection<String> allowed) {
        return plain(405, "METHOD_NOT_ALLOWED", "The requested resource does not support http method '" + method + "'.")
                .withHeaders(Map.of("Allow", String.join(", ", allowed)));
    }

    ApiResponse serverError() {
        return plain(500, "INTERNAL_ERROR", "An error has occurred.");
    }

    /** A failure a test asked for: 401 or 403 (credentials) or a 5xx (the API or what fronts it). */
    ApiResponse injected(int status) {
        return switch (status) {
            case 401 -> unauthorized();
            case 403 -> plain(403, "FORBIDDEN", "The API key's permission group does not allow this request.");
            case 500 -> serverError();
            case 502 -> plain(502, "BAD_GATEWAY", "Bad Gateway");
            case 503 -> plain(503, "SERVICE_UNAVAILABLE", "The service is unavailable.");
            case 504 -> plain(504, "GATEWAY_TIMEOUT", "Gateway Timeout");
            default -> plain(status, "SERVER_ERROR", "An error has occurred.");
        };
    }

    /**
     * A request the server could not bind (malformed JSON, wrong JSON type). {@code bindingModel} is the ASP.NET
     * parameter name that prefixes the legacy modelState keys, or null for query parameters.
     */
    ApiResponse invalidRequest(String bindingModel, FieldError error) {
        return invalidRequest(bindingModel, List.of(error));
    }

    ApiResponse invalidRequest(String bindingModel, List<FieldError> errors) {
        return style() == ErrorStyle.LEGACY
                ? legacyModelState(bindingModel, errors)
                : target(400, "BAD_REQUEST", INVALID_REQUEST, errors);
    }

    /** A well-formed request whose values are rejected: 422 in the target shape, a 400 modelState in the legacy one. */
    ApiResponse validationFailed(String bindingModel, List<FieldError> errors) {
        return style() == ErrorStyle.LEGACY
                ? legacyModelState(bindingModel, errors)
                : target(422, "VALIDATION_FAILED", "Validation failed.", errors);
    }

    /** A value that may be on one Contact only; the legacy shape carries just the message. */
    ApiResponse conflict(List<FieldError> errors) {
        String message = errors.stream().map(FieldError::message).collect(Collectors.joining(" "));
        return style() == ErrorStyle.LEGACY ? ApiResponse.json(409, Map.of("message", message)) : target(409, "CONFLICT", message, errors);
    }

    ApiResponse refused(String bindingModel, RequestRefused refusal) {
        return switch (refusal.reason()) {
            case NOT_FOUND -> ApiResponse.empty(404);
            case INVALID -> validationFailed(bindingModel, refusal.errors());
            case CONFLICT -> conflict(refusal.errors());
        };
    }

    private ApiResponse plain(int status, String code, String message) {
        return style() == ErrorStyle.LEGACY ? ApiResponse.json(status, Map.of("message", message)) : target(status, code, message, List.of());
    }

    private static ApiResponse legacyModelState(String bindingModel, List<FieldError> errors) {
        Map<String, List<String>> modelState = new LinkedHashMap<>();
        for (FieldError error : errors) {
            modelState.computeIfAbsent(legacyKey(bindingModel, error.field()), key -> new ArrayList<>()).add(error.message());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", INVALID_REQUEST);
        body.put("modelState", modelState);
        return ApiResponse.json(400, body);
    }

    private static String legacyKey(String bindingModel, String field) {
        if (bindingModel == null) {
            return field;
        }
        return field == null ? bindingModel : bindingModel + "." + field;
    }

    private static ApiResponse target(int status, String code, String message, List<FieldError> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("details", details);
        return ApiResponse.json(status, Map.of("error", error));
    }

    private ErrorStyle style() {
        return settings.errorStyle();
    }
}
