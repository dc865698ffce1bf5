package org.contactsync.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The parts of a Contact with endpoints of their own (update-a-contact seed; paths from the endpoint registry in
 * virtuous-api.md §1.1): {@code GET|PUT /api/ContactAddress/{id}}, {@code POST /api/ContactAddress},
 * {@code GET|PUT /api/ContactIndividual/{id}}, {@code POST /api/ContactIndividual},
 * {@code GET|PUT|DELETE /api/ContactMethod/{id}} and {@code POST /api/ContactMethod}. A PUT applies its body by the
 * configured {@link PutSemantics}; a POST names the parent by {@code contactId} or {@code contactIndividualId}.
 * Parts of a merged or deleted Contact are not found.
 */
final class ContactPartEndpoints {

    private final ContactStore store;
    private final SandboxSettings settings;
    private final ApiErrors errors;

    ContactPartEndpoints(ContactStore store, SandboxSettings settings, ApiErrors errors) {
        this.store = store;
        this.settings = settings;
        this.errors = errors;
    }

    void register(ApiRouter router) {
        router.add("GET", "ContactAddress/{number}", (request, parameters) -> found(store.part(contact ->
                        contact.address(id(parameters)).map(StoredAddress::toJson))))
                .add("PUT", "ContactAddress/{number}", this::updateAddress)
                .add("POST", "ContactAddress", this::addAddress)
                .add("GET", "ContactIndividual/{number}", (request, parameters) -> found(store.part(contact ->
                        contact.individual(id(parameters)).map(StoredIndividual::toJson))))
                .add("PUT", "ContactIndividual/{number}", this::updateIndividual)
                .add("POST", "ContactIndividual", this::addIndividual)
                .add("GET", "ContactMethod/{number}", (request, parameters) -> found(store.part(contact ->
                        contactMethodJson(contact, id(parameters)))))
                .add("PUT", "ContactMethod/{number}", this::updateContactMethod)
                .add("POST", "ContactMethod", this::addContactMethod)
                .add("DELETE", "ContactMethod/{number}", this::deleteContactMethod);
    }

    private ApiResponse updateAddress(ApiRequest request, List<String> parameters) {
        long addressId = id(parameters);
        return BindingModel.CONTACT_ADDRESS.bind(request, errors, body -> {
            StoredContact written = store.updateHolder(contact -> contact.address(addressId).isPresent(), settings.putSemantics(),
                    ContactStore.API_USER, (contact, write) -> contact.applyToAddress(contact.address(addressId).orElseThrow(), body, write));
            return ApiResponse.json(200, written.address(addressId).orElseThrow().toJson());
        });
    }

    private ApiResponse addAddress(ApiRequest request, List<String> parameters) {
        return BindingModel.CONTACT_ADDRESS.bind(request, errors, body -> {
            long contactId = parentId(body, "contactId");
            AtomicLong added = new AtomicLong();
            StoredContact written = store.update(contactId, settings.putSemantics(), ContactStore.API_USER,
                    (contact, write) -> added.set(contact.addAddress(body, write).id()));
            return ApiResponse.json(200, written.address(added.get()).orElseThrow().toJson());
        });
    }

    private ApiResponse updateIndividual(ApiRequest request, List<String> parameters) {
        long individualId = id(parameters);
        return BindingModel.CONTACT_INDIVIDUAL.bind(request, errors, body -> {
            StoredContact written = store.updateHolder(contact -> contact.individual(individualId).isPresent(), settings.putSemantics(),
                    ContactStore.API_USER, (contact, write) -> contact.applyToIndividual(contact.individual(individualId).orElseThrow(), body, write));
            return ApiResponse.json(200, written.individual(individualId).orElseThrow().toJson());
        });
    }

    private ApiResponse addIndividual(ApiRequest request, List<String> parameters) {
        return BindingModel.CONTACT_INDIVIDUAL.bind(request, errors, body -> {
            long contactId = parentId(body, "contactId");
            AtomicLong added = new AtomicLong();
            StoredContact written = store.update(contactId, settings.putSemantics(), ContactStore.API_USER,
                    (contact, write) -> added.set(contact.addIndividual(body, write).id()));
            return ApiResponse.json(200, written.individual(added.get()).orElseThrow().toJson());
        });
    }

    private ApiResponse updateContactMethod(ApiRequest request, List<String> parameters) {
        long methodId = id(parameters);
        return BindingModel.CONTACT_METHOD.bind(request, errors, body -> {
            StoredContact written = store.updateHolder(contact -> contact.contactMethod(methodId).isPresent(), settings.putSemantics(),
                    ContactStore.API_USER, (contact, write) -> contact.contactMethod(methodId).orElseThrow().apply(body, write, ""));
            return ApiResponse.json(200, contactMethodJson(written, methodId).orElseThrow());
        });
    }

    private ApiResponse addContactMethod(ApiRequest request, List<String> parameters) {
        return BindingModel.CONTACT_METHOD.bind(request, errors, body -> {
            long individualId = parentId(body, "contactIndividualId");
            AtomicLong added = new AtomicLong();
            StoredContact written = store.updateHolder(contact -> contact.individual(individualId).isPresent(), settings.putSemantics(),
                    ContactStore.API_USER, (contact, write) -> added.set(contact.individual(individualId).orElseThrow().addContactMethod(body, write).id()));
            return ApiResponse.json(200, contactMethodJson(written, added.get()).orElseThrow());
        });
    }

    private ApiResponse deleteContactMethod(ApiRequest request, List<String> parameters) {
        long methodId = id(parameters);
        try {
            store.updateHolder(contact -> contact.contactMethod(methodId).isPresent(), settings.putSemantics(), ContactStore.API_USER,
                    (contact, write) -> contact.individuals().forEach(individual -> individual.contactMethods().removeIf(method -> method.id() == methodId)));
            return ApiResponse.empty(200);
        } catch (RequestRefused refusal) {
            return errors.refused(null, refusal);
        }
    }

    /** The contact method as its own endpoints show it: with the individual it belongs to, as clients post it. */
    private static Optional<Map<String, Object>> contactMethodJson(StoredContact contact, long methodId) {
        for (StoredIndividual individual : contact.individuals()) {
            Optional<StoredContactMethod> method = individual.contactMethod(methodId);
            if (method.isPresent()) {
                Map<String, Object> json = method.get().toJson();
                json.put("contactIndividualId", individual.id());
                return Optional.of(json);
            }
        }
        return Optional.empty();
    }

    private static long parentId(ObjectNode body, String property) {
        JsonNode id = body.get(property);
        if (id == null || id.isNull()) {
            String field = Character.toUpperCase(property.charAt(0)) + property.substring(1);
            throw RequestRefused.invalid(List.of(new FieldError(property, "REQUIRED", "The " + field + " field is required.")));
        }
        return id.longValue();
    }

    private static long id(List<String> parameters) {
        return Long.parseLong(parameters.get(0));
    }

    private static ApiResponse found(Optional<Map<String, Object>> part) {
        return part.map(json -> ApiResponse.json(200, json)).orElseGet(() -> ApiResponse.empty(404));
    }
}
