package org.contactsync.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionImportTest {

    private static final String SOURCE = "PartnerPlatform";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T14:20:56.3533333Z"));
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void transactionIsHeldUntilTheBatchCreatesTheContact() {
        HttpResponse<String> accepted = http.postJson("/api/Contact/Transaction", ada("donor-1"));

        assertEquals(200, accepted.statusCode());
        assertEquals("", accepted.body());
        assertEquals(List.of(ada("donor-1")), sandbox.heldTransactions());
        assertEquals(404, http.get("/api/Contact/PartnerPlatform/donor-1").statusCode());
        assertEquals(404, http.get("/api/Contact/Find?referenceSource=PartnerPlatform&referenceId=donor-1").statusCode());

        List<BatchResult> results = sandbox.runBatch();

        assertEquals(1, results.size());
        BatchResult created = results.get(0);
        assertEquals(new BatchResult("contactCreate", created.contactId(), SOURCE, "donor-1"), created);
        assertTrue(sandbox.heldTransactions().isEmpty());
        HttpResponse<String> byReference = http.get("/api/Contact/PartnerPlatform/donor-1");
        assertEquals(200, byReference.statusCode());
        Map<String, Object> contact = SandboxHttp.object(byReference);
        assertEquals(created.contactId(), ((Number) contact.get("id")).longValue());
        assertEquals(List.of(Map.of("source", SOURCE, "id", "donor-1")), contact.get("contactReferences"));
    }

    @Test
    void createdContactHasTheGetShape() {
        http.postJson("/api/Contact/Transaction", ada("donor-1"));
        long id = sandbox.runBatch().get(0).contactId();

        Map<String, Object> contact = SandboxHttp.object(http.get("/api/Contact/" + id));

        assertEquals("Household", contact.get("contactType"));
        assertEquals("Ada Lovelace", contact.get("name"));
        assertEquals(false, contact.get("isPrivate"));
        assertEquals(false, contact.get("isArchived"));
        assertEquals(null, contact.get("mergedIntoContactId"));
        assertEquals("$0", contact.get("giftAskAmount"));
        assertEquals("Unavailable", contact.get("lastGiftDate"));
        assertEquals("2026-11-21T14:20:56.3533333", contact.get("createDateTimeUtc"));
        assertEquals("2026-11-21T14:20:56.3533333", contact.get("modifiedDateTimeUtc"));
        assertEquals(List.of("newsletter", "gala 2026"), contact.get("tags"));
        assertEquals(List.of(Map.of("name", "Donor Level", "value", "Gold", "dataType", "Text")), contact.get("customFields"));
        assertEquals(List.of(), contact.get("organizationGroups"));
        assertFalse(contact.containsKey("contactAddresses"));

        Map<?, ?> address = (Map<?, ?>) contact.get("address");
        assertTrue(address.get("id") instanceof Number);
        assertEquals("12 St James's Square", address.get("address1"));
        assertEquals("London", address.get("city"));
        assertEquals("SW1Y 4JH", address.get("postal"));
        assertEquals(true, address.get("isPrimary"));
        assertEquals(1, address.get("startMonth"));
        assertEquals(31, address.get("endDay"));

        List<?> individuals = (List<?>) contact.get("contactIndividuals");
        assertEquals(1, individuals.size());
        Map<?, ?> individual = (Map<?, ?>) individuals.get(0);
        assertEquals(id, ((Number) individual.get("contactId")).longValue());
        assertEquals("Ada", individual.get("firstName"));
        assertEquals("Lovelace", individual.get("lastName"));
        assertEquals(true, individual.get("isPrimary"));
        assertEquals(false, individual.get("isSecondary"));
        List<?> methods = (List<?>) individual.get("contactMethods");
        assertEquals(Map.of("type", "Home Email", "value", "ada@example.org", "isPrimary", true, "isOptedIn", false),
                pick((Map<?, ?>) methods.get(0), "type", "value", "isPrimary", "isOptedIn"));
        assertEquals(Map.of("type", "Mobile Phone", "value", "+44 20 7946 0001", "isPrimary", true),
                pick((Map<?, ?>) methods.get(1), "type", "value", "isPrimary"));
    }

    @Test
    void transactionForAKnownEmailMergesIntoThatContact() {
        long grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace.hopper@example.org"));
        clock.advance(Duration.ofHours(9));

        http.postJson("/api/Contact/Transaction", Map.of("referenceSource", SOURCE, "referenceId", "donor-2",
                "firstName", "Amazing", "lastName", "Grace", "email", "GRACE.HOPPER@example.org", "phone", "555-0100",
                "address1", "1 Navy Way", "postal", "22201", "tags", "veteran"));
        List<BatchResult> results = sandbox.runBatch();

        assertEquals(List.of(new BatchResult("contactUpdate", grace, SOURCE, "donor-2")), results);
        assertEquals(1, sandbox.contacts().size());
        Map<String, Object> contact = sandbox.contact(grace);
        assertEquals("Grace Hopper", contact.get("name"));
        assertEquals(List.of(Map.of("source", SOURCE, "id", "donor-2")), contact.get("contactReferences"));
        assertEquals(List.of("veteran"), contact.get("tags"));
        assertEquals("1 Navy Way", ((Map<?, ?>) contact.get("address")).get("address1"));
        assertNotEquals(contact.get("createDateTimeUtc"), contact.get("modifiedDateTimeUtc"));
        assertEquals("2026-11-21T23:20:56.3533333", contact.get("modifiedDateTimeUtc"));
        Map<?, ?> individual = (Map<?, ?>) ((List<?>) contact.get("contactIndividuals")).get(0);
        assertEquals("Grace", individual.get("firstName"));
        List<?> methods = (List<?>) individual.get("contactMethods");
        assertEquals(2, methods.size(), "the known email is not added twice, the new phone is");
        assertEquals("555-0100", ((Map<?, ?>) methods.get(1)).get("value"));
        assertEquals(200, http.get("/api/Contact/PartnerPlatform/donor-2").statusCode());
    }

    @Test
    void sameReferenceSubmittedTwiceMakesOneContact() {
        http.postJson("/api/Contact/Transaction", ada("donor-1"));
        Map<String, Object> corrected = new LinkedHashMap<>(ada("donor-1"));
        corrected.put("email", "ada.lovelace@example.org");
        http.postJson("/api/Contact/Transaction", corrected);

        assertEquals(List.of(corrected), sandbox.heldTransactions());
        List<BatchResult> first = sandbox.runBatch();
        http.postJson("/api/Contact/Transaction", ada("donor-1"));
        List<BatchResult> second = sandbox.runBatch();

        assertEquals("contactCreate", first.get(0).event());
        assertEquals(List.of(new BatchResult("contactUpdate", first.get(0).contactId(), SOURCE, "donor-1")), second);
        assertEquals(1, sandbox.contactCountForReference(SOURCE, "donor-1"));
        assertEquals(1, sandbox.contacts().size());
    }

    @Test
    void laterTransactionsInOneBatchMatchContactsCreatedEarlierInIt() {
        http.postJson("/api/Contact/Transaction", ada("donor-1"));
        Map<String, Object> sameEmail = new LinkedHashMap<>(ada("donor-7"));
        http.postJson("/api/Contact/Transaction", sameEmail);

        List<BatchResult> results = sandbox.runBatch();

        assertEquals(List.of("contactCreate", "contactUpdate"), results.stream().map(BatchResult::event).toList());
        assertEquals(results.get(0).contactId(), results.get(1).contactId());
    }

    @Test
    void batchHoldsEachItemWithTheTopLevelSource() {
        Map<String, Object> batch = Map.of("referenceSource", SOURCE, "contacts", List.of(
                Map.of("referenceId", "donor-11", "firstName", "Mary", "lastName", "Somerville", "email", "mary@example.org"),
                Map.of("referenceId", "donor-12", "contactType", "Foundation", "name", "Analytical Engine Trust")));

        HttpResponse<String> accepted = http.postJson("/api/Contact/Batch", batch);

        assertEquals(200, accepted.statusCode());
        assertEquals("", accepted.body());
        assertEquals(List.of(SOURCE, SOURCE), sandbox.heldTransactions().stream().map(held -> held.get("referenceSource")).toList());
        List<BatchResult> results = sandbox.runBatch();
        assertEquals(List.of(new BatchResult("contactCreate", results.get(0).contactId(), SOURCE, "donor-11"),
                new BatchResult("contactCreate", results.get(1).contactId(), SOURCE, "donor-12")), results);
        Map<String, Object> trust = sandbox.contact(results.get(1).contactId());
        assertEquals("Foundation", trust.get("contactType"));
        assertEquals("Analytical Engine Trust", trust.get("name"));
    }

    @Test
    void batchHasNoItemLimitAndCostsOneRequest() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            items.add(Map.of("referenceId", "donor-" + i, "name", "Donor " + i));
        }

        HttpResponse<String> accepted = http.postJson("/api/Contact/Batch", Map.of("referenceSource", SOURCE, "contacts", items));

        assertEquals(200, accepted.statusCode());
        assertEquals("4999", accepted.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals(2_000, sandbox.heldTransactions().size());
    }

    @Test
    void emptyBatchIsAccepted() {
        HttpResponse<String> accepted = http.post("/api/Contact/Batch", "{\"contacts\":[]}");

        assertEquals(200, accepted.statusCode());
        assertEquals("", accepted.body());
    }

    @Test
    void batchWhoseContactsIsNotAnArrayIsTheObserved400() {
        HttpResponse<String> refused = http.post("/api/Contact/Batch", "{\"contacts\":{}}");

        assertEquals(400, refused.statusCode());
        assertEquals("{\"message\":\"The request is invalid.\",\"modelState\":"
                + "{\"unmatchedContactsBindingModel.contacts\":[\"An error has occurred.\"]}}", refused.body());
        assertTrue(sandbox.heldTransactions().isEmpty());
    }

    @Test
    void malformedJsonIsA400InBothStyles() {
        HttpResponse<String> legacy = http.post("/api/Contact/Transaction", "{\"firstName\": \"Ada\"");
        assertEquals(400, legacy.statusCode());
        assertEquals(Map.of("message", "The request is invalid.",
                "modelState", Map.of("transaction", List.of("The request body must be a JSON object."))), SandboxHttp.object(legacy));
        assertEquals(400, http.post("/api/Contact/Transaction", "[{\"firstName\": \"Ada\"}]").statusCode());
        assertEquals(400, http.post("/api/Contact/Transaction", "").statusCode());

        sandbox.setErrorStyle("target");
        HttpResponse<String> target = http.post("/api/Contact/Batch", "not json");
        assertEquals(400, target.statusCode());
        assertEquals("BAD_REQUEST", ((Map<?, ?>) SandboxHttp.object(target).get("error")).get("code"));
        assertTrue(sandbox.heldTransactions().isEmpty());
    }

    @Test
    void unknownContactTypeAndMalformedEmailAreRefused() {
        Map<String, Object> invalid = Map.of("referenceSource", SOURCE, "referenceId", "donor-3", "contactType", "Family",
                "email", "not-an-email");

        HttpResponse<String> legacy = http.postJson("/api/Contact/Transaction", invalid);
        assertEquals(400, legacy.statusCode());
        Map<?, ?> modelState = (Map<?, ?>) SandboxHttp.object(legacy).get("modelState");
        assertEquals(List.of("transaction.contactType", "transaction.email"), List.copyOf(modelState.keySet()));

        sandbox.setErrorStyle("target");
        HttpResponse<String> target = http.postJson("/api/Contact/Transaction", invalid);
        assertEquals(422, target.statusCode());
        Map<?, ?> error = (Map<?, ?>) SandboxHttp.object(target).get("error");
        assertEquals("VALIDATION_FAILED", error.get("code"));
        assertEquals(List.of("contactType", "email"), ((List<?>) error.get("details")).stream().map(detail -> ((Map<?, ?>) detail).get("field")).toList());
        assertTrue(sandbox.heldTransactions().isEmpty());
    }

    @Test
    void invalidBatchItemIsNamedByItsIndex() {
        Map<String, Object> batch = Map.of("referenceSource", SOURCE, "contacts", List.of(
                Map.of("referenceId", "donor-11", "email", "mary@example.org"),
                Map.of("referenceId", "donor-12", "email", "mary at example")));

        HttpResponse<String> refused = http.postJson("/api/Contact/Batch", batch);

        assertEquals(400, refused.statusCode());
        assertEquals(List.of("unmatchedContactsBindingModel.contacts[1].email"),
                List.copyOf(((Map<?, ?>) SandboxHttp.object(refused).get("modelState")).keySet()));
        assertTrue(sandbox.heldTransactions().isEmpty());
    }

    private static Map<String, Object> ada(String referenceId) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("referenceSource", SOURCE);
        payload.put("referenceId", referenceId);
        payload.put("contactType", "Household");
        payload.put("firstName", "Ada");
        payload.put("lastName", "Lovelace");
        payload.put("emailType", "Home Email");
        payload.put("email", "ada@example.org");
        payload.put("phoneType", "Mobile Phone");
        payload.put("phone", "+44 20 7946 0001");
        payload.put("address1", "12 St James's Square");
        payload.put("city", "London");
        payload.put("postal", "SW1Y 4JH");
        payload.put("country", "GB");
        payload.put("tags", "newsletter; gala 2026");
        payload.put("customFields", Map.of("Donor Level", "Gold"));
        return payload;
    }

    private static Map<Object, Object> pick(Map<?, ?> map, String... keys) {
        Map<Object, Object> picked = new LinkedHashMap<>();
        for (String key : keys) {
            picked.put(key, map.get(key));
        }
        return picked;
    }
}
