package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code /api/Contact/...} endpoints. {@code PUT /api/Contact/{id}} applies the body by the configured
 * {@link PutSemantics} and answers with the Contact as stored; archiving has endpoints of its own.
 */
final class ContactEndpoints {

    private static final String TRANSACTION_MODEL = "transaction";
    // The binding model name the live API reported for a malformed Batch body.
    private static final String BATCH_MODEL = "unmatchedContactsBindingModel";

    private final ContactStore store;
    private final TransactionHold hold;
    private final SandboxSettings settings;
    private final ApiErrors errors;

    ContactEndpoints(ContactStore store, TransactionHold hold, SandboxSettings settings, ApiErrors errors) {
        this.store = store;
        this.hold = hold;
        this.settings = settings;
        this.errors = errors;
    }

    void register(ApiRouter router) {
        router.add("GET", "Contact/Find", this::find)
                .add("GET", "Contact/Types", (request, parameters) -> ApiResponse.json(200, settings.organisation().contactTypes()))
                .add("GET", "Contact/CustomFields", (request, parameters) -> ApiResponse.json(200, settings.organisation().customFields()))
                .add("GET", "Contact/QueryOptions", (request, parameters) -> ApiResponse.json(200, settings.organisation().queryOptions()))
                .add("GET", "ContactMethod/Types", (request, parameters) -> ApiResponse.json(200, settings.organisation().methodTypes()))
                .add("POST", "Contact/Transaction", this::transaction)
                .add("POST", "Contact/Batch", this::batch)
                .add("GET", "Contact/{number}", this::byId)
                .add("PUT", "Contact/{number}", this::update)
                .add("PUT", "Contact/Archive/{number}", (request, parameters) -> archive(parameters, true))
                .add("PUT", "Contact/Unarchive/{number}", (request, parameters) -> archive(parameters, false))
                .add("GET", "Contact/{text}/{text}", this::byReference);
    }

    /** Reference wins over email when both are given (virtuous-api.md §1.1). */
    private ApiResponse find(ApiRequest request, List<String> parameters) {
        String referenceSource = request.queryParameter("referenceSource");
        String referenceId = request.queryParameter("referenceId");
        String email = request.queryParameter("email");
        if (referenceSource != null && referenceId != null) {
            return contactOrNotFound(store.byReference(new ContactReference(referenceSource, referenceId)));
        }
        if (email != null) {
            return contactOrNotFound(store.byEmail(email));
        }
        return errors.invalidRequest(null, new FieldError("email", "REQUIRED",
                "Provide email, or both referenceSource and referenceId."));
    }

    private ApiResponse byId(ApiRequest request, List<String> parameters) {
        return contactOrNotFound(store.byId(id(parameters)));
    }

    private ApiResponse update(ApiRequest request, List<String> parameters) {
        return BindingModel.CONTACT.bind(request, errors, body -> ApiResponse.json(200,
                store.update(id(parameters), settings.putSemantics(), ContactStore.API_USER, (contact, write) -> contact.apply(body, write))
                        .toJson()));
    }

    /** No body is documented (clients send none, "" or {"reason"}), so none is read. The answer is empty. */
    private ApiResponse archive(List<String> parameters, boolean archived) {
        try {
            store.update(id(parameters), settings.putSemantics(), ContactStore.API_USER, (contact, write) -> contact.archived(archived));
            return ApiResponse.empty(200);
        } catch (RequestRefused refusal) {
            return errors.refused(null, refusal);
        }
    }

    private ApiResponse byReference(ApiRequest request, List<String> parameters) {
        return contactOrNotFound(store.byReference(new ContactReference(parameters.get(0), parameters.get(1))));
    }

    private ApiResponse transaction(ApiRequest request, List<String> parameters) {
        Optional<ObjectNode> body = request.jsonObject();
        if (body.isEmpty()) {
            return errors.invalidRequest(TRANSACTION_MODEL, FieldError.bodyNotAnObject());
        }
        ContactTransaction transaction = new ContactTransaction(body.get());
        List<FieldError> problems = TransactionValidator.validate(transaction, "", settings.organisation());
        if (!problems.isEmpty()) {
            TransactionValidator.countRefusals(problems, settings.organisation());
            return errors.validationFailed(TRANSACTION_MODEL, problems);
        }
        hold.submit(List.of(transaction));
        return ApiResponse.empty(200);
    }

    /**
     * Each item is held like a Transaction, with the Batch's top-level {@code referenceSource}, so the nightly batch
     * matches, imports and announces it the same way. Neither the seed nor the reference documents an item limit, so
     * none is enforced; a Batch is one request however many items it carries.
     */
    private ApiResponse batch(ApiRequest request, List<String> parameters) {
        Optional<ObjectNode> body = request.jsonObject();
        if (body.isEmpty()) {
            return errors.invalidRequest(BATCH_MODEL, FieldError.bodyNotAnObject());
        }
        JsonNode items = body.get().get("contacts");
        if (items == null || !items.isArray() || !allObjects(items)) {
            return errors.invalidRequest(BATCH_MODEL, new FieldError("contacts", "INVALID_TYPE", "An error has occurred."));
        }
        JsonNode referenceSource = body.get().get("referenceSource");
        List<ContactTransaction> transactions = new ArrayList<>();
        List<FieldError> problems = new ArrayList<>();
        for (JsonNode item : items) {
            ObjectNode fields = ((ObjectNode) item).deepCopy();
            if (referenceSource != null) {
                fields.set("referenceSource", referenceSource);
            }
            ContactTransaction transaction = new ContactTransaction(fields);
            problems.addAll(TransactionValidator.validate(transaction, "contacts[" + transactions.size() + "].", settings.organisation()));
            transactions.add(transaction);
        }
        if (!problems.isEmpty()) {
            TransactionValidator.countRefusals(problems, settings.organisation());
            return errors.validationFailed(BATCH_MODEL, problems);
        }
        hold.submit(transactions);
        return ApiResponse.empty(200);
    }

    private static long id(List<String> parameters) {
        return Long.parseLong(parameters.get(0));
    }

    private static boolean allObjects(JsonNode items) {
        for (JsonNode item : items) {
            if (!item.isObject()) {
                return false;
            }
        }
        return true;
    }

    private static ApiResponse contactOrNotFound(Optional<Map<String, Object>> contact) {
        return contact.map(found -> ApiResponse.json(200, found)).orElseGet(() -> ApiResponse.empty(404));
    }
}
