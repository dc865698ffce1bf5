package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.contactsync.sandbox.ContactJson.copy;
import static org.contactsync.sandbox.ContactJson.individual;
import static org.contactsync.sandbox.ContactJson.list;
import static org.contactsync.sandbox.ContactJson.withoutStamps;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ContactAddress, ContactIndividual and ContactMethod endpoints. */
class ContactPartsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T14:20:56Z"));
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private long contactId;

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.start();
        contactId = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org",
                "address1", "1 Navy Way", "city", "Arlington", "state", "VA", "postal", "22201"));
        clock.advance(Duration.ofMinutes(1));
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @ParameterizedTest
    @EnumSource(PutSemantics.class)
    void addressIsReadAndUpdatedByItsOwnId(PutSemantics semantics) {
        sandbox.setPutSemantics(semantics);
        Map<String, Object> primary = address(contact());
        String path = "/api/ContactAddress/" + primary.get("id");
        assertThat(object(http.get(path))).isEqualTo(primary);

        Map<String, Object> changed = copy(primary);
        changed.put("address1", "2 Navy Way");
        Map<String, Object> answered = object(http.put(path, changed));

        assertThat(withoutStamps(answered)).isEqualTo(withoutStamps(changed));
        assertThat(answered.get("modifiedDateTimeUtc")).isEqualTo("2026-11-21T14:21:56.0000000");
        assertThat(address(contact())).isEqualTo(answered);
        assertThat(contact().get("modifiedDateTimeUtc")).as("the Contact is modified too").isEqualTo("2026-11-21T14:21:56.0000000");
    }

    @Test
    void partialAddressBodyClearsUnderReplaceAndKeepsUnderPatch() {
        String path = "/api/ContactAddress/" + address(contact()).get("id");

        sandbox.setPutSemantics(PutSemantics.PATCH);
        assertThat(object(http.put(path, Map.of("label", "Work")))).containsEntry("label", "Work").containsEntry("address1", "1 Navy Way");

        sandbox.setPutSemantics(PutSemantics.REPLACE);
        assertThat(object(http.put(path, Map.of("label", "Work", "city", "Arlington"))))
                .containsEntry("address1", null)
                .containsEntry("city", "Arlington")
                .containsEntry("isPrimary", true);
    }

    @Test
    void postedAddressBecomesPrimaryOnlyWhenSetAsPrimary() {
        Map<String, Object> first = address(contact());
        Map<String, Object> added = object(http.postJson("/api/ContactAddress", Map.of("contactId", contactId, "label", "Seasonal",
                "address1", "7 Harbour Street", "city", "Boston", "postal", "02110")));
        assertThat(added).containsEntry("isPrimary", false).containsEntry("label", "Seasonal");
        assertThat(address(contact()).get("id")).isEqualTo(first.get("id"));

        Map<String, Object> promote = copy(added);
        promote.put("setAsPrimary", true);
        assertThat(object(http.put("/api/ContactAddress/" + added.get("id"), promote))).containsEntry("isPrimary", true);

        assertThat(address(contact()).get("id")).isEqualTo(added.get("id"));
        assertThat(object(http.get("/api/ContactAddress/" + first.get("id")))).containsEntry("isPrimary", false);
    }

    @Test
    void individualMarkedPrimaryTakesTheRoleFromTheOther() {
        Map<String, Object> grace = individual(contact());
        Map<String, Object> added = object(http.postJson("/api/ContactIndividual",
                Map.of("contactId", contactId, "firstName", "Vincent", "lastName", "Hopper")));
        assertThat(added).containsEntry("isPrimary", false).containsEntry("contactId", (int) contactId);
        assertThat(object(http.get("/api/ContactIndividual/" + added.get("id")))).isEqualTo(added);

        Map<String, Object> promote = copy(added);
        promote.put("isPrimary", true);
        http.put("/api/ContactIndividual/" + added.get("id"), promote);

        List<Map<String, Object>> individuals = list(contact(), "contactIndividuals");
        assertThat(individuals).extracting(individual -> individual.get("firstName"), individual -> individual.get("isPrimary"))
                .containsExactly(tuple("Grace", false), tuple("Vincent", true));
        assertThat(individuals.get(0).get("contactMethods")).isEqualTo(grace.get("contactMethods"));
    }

    @Test
    void unmarkingTheOnlyPrimaryIndividualIsRefused() {
        Map<String, Object> grace = individual(contact());
        grace.put("isPrimary", false);

        HttpResponse<String> refused = http.put("/api/ContactIndividual/" + grace.get("id"), grace);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(object(refused).get("modelState")).isEqualTo(Map.of("contactIndividual.contactIndividuals",
                List.of("A Contact with individuals has exactly one primary individual, not 0.")));
        assertThat(individual(contact())).containsEntry("isPrimary", true);
    }

    @ParameterizedTest
    @EnumSource(PutSemantics.class)
    void individualBodyCarriesItsContactMethods(PutSemantics semantics) {
        sandbox.setPutSemantics(semantics);
        Map<String, Object> grace = individual(contact());
        Map<String, Object> changed = copy(grace);
        changed.put("nickname", "Amazing Grace");

        Map<String, Object> answered = object(http.put("/api/ContactIndividual/" + grace.get("id"), changed));

        assertThat(withoutStamps(answered)).isEqualTo(withoutStamps(changed));
        assertThat(answered.get("contactMethods")).isEqualTo(grace.get("contactMethods"));
    }

    @Test
    void contactMethodsCanBeAddedChangedAndDeleted() {
        Object individualId = individual(contact()).get("id");
        Map<String, Object> added = object(http.postJson("/api/ContactMethod", Map.of("contactIndividualId", individualId,
                "type", "Mobile Phone", "value", "555-0199", "isOptedIn", true, "isPrimary", true)));
        assertThat(added).containsEntry("contactIndividualId", individualId).containsEntry("value", "555-0199").containsEntry("isOptedIn", true);
        String path = "/api/ContactMethod/" + added.get("id");
        assertThat(object(http.get(path))).isEqualTo(added);

        Map<String, Object> changed = copy(added);
        changed.put("value", "555-0142");
        assertThat(object(http.put(path, changed))).containsEntry("value", "555-0142");
        assertThat(list(individual(contact()), "contactMethods")).extracting(method -> method.get("value"))
                .containsExactly("grace@example.org", "555-0142");

        assertThat(http.delete(path).statusCode()).isEqualTo(200);
        assertThat(http.get(path).statusCode()).isEqualTo(404);
        assertThat(http.delete(path).statusCode()).isEqualTo(404);
        assertThat(list(individual(contact()), "contactMethods")).hasSize(1);
    }

    @Test
    void emailTypedMethodNeedsAnEmailAddress() {
        sandbox.setErrorStyle("target");
        Object individualId = individual(contact()).get("id");

        HttpResponse<String> refused = http.postJson("/api/ContactMethod",
                Map.of("contactIndividualId", individualId, "type", "Work Email", "value", "grace at navy"));

        assertThat(refused.statusCode()).isEqualTo(422);
        Map<?, ?> error = (Map<?, ?>) object(refused).get("error");
        assertThat(error.get("code")).isEqualTo("VALIDATION_FAILED");
        assertThat(error.get("details")).isEqualTo(List.of(Map.of("field", "value", "code", "INVALID_FORMAT",
                "message", "'grace at navy' is not a valid email address.")));
    }

    @Test
    void unknownPartsAreA404AndAPostNeedsItsParent() {
        assertThat(http.get("/api/ContactAddress/" + contactId).statusCode()).as("a Contact id is no address id").isEqualTo(404);
        assertThat(http.put("/api/ContactIndividual/999999", Map.of("firstName", "Nobody")).statusCode()).isEqualTo(404);
        assertThat(http.postJson("/api/ContactAddress", Map.of("contactId", 999999, "address1", "Nowhere")).statusCode()).isEqualTo(404);

        HttpResponse<String> orphan = http.postJson("/api/ContactAddress", Map.of("address1", "Nowhere"));
        assertThat(orphan.statusCode()).isEqualTo(400);
        assertThat(object(orphan).get("modelState")).isEqualTo(Map.of("contactAddress.contactId", List.of("The ContactId field is required.")));
    }

    private Map<String, Object> contact() {
        HttpResponse<String> response = http.get("/api/Contact/" + contactId);
        assertThat(response.statusCode()).isEqualTo(200);
        return object(response);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> address(Map<String, Object> contact) {
        return (Map<String, Object>) contact.get("address");
    }

    private static Map<String, Object> object(HttpResponse<String> response) {
        return SandboxHttp.object(response);
    }
}
