package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.contactsync.sandbox.ContactJson.copy;
import static org.contactsync.sandbox.ContactJson.individual;
import static org.contactsync.sandbox.ContactJson.list;
import static org.contactsync.sandbox.ContactJson.method;
import static org.contactsync.sandbox.ContactJson.withoutStamps;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** PUT /api/Contact/{id}: both PUT semantics, strict types, and the modified stamp. */
class ContactUpdateTest {

    private static final Instant NOW = Instant.parse("2026-11-21T14:20:56.3533333Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private long id;

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.start();
        id = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org", "phone", "555-0100",
                "address1", "12 St James's Square", "postal", "SW1Y 4JH",
                "referenceSource", "PartnerPlatform", "referenceId", "donor-1", "tags", "newsletter",
                "customFields", Map.of("Donor Level", "Gold")));
        clock.advance(Duration.ofMinutes(5));
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @ParameterizedTest
    @EnumSource(PutSemantics.class)
    void fullRecordChangesOnlyWhatWasChangedAndAnswersWithTheStoredContact(PutSemantics semantics) {
        sandbox.setPutSemantics(semantics);
        Map<String, Object> before = get();
        Map<String, Object> changed = copy(before);
        changed.put("informalName", "Augusta");
        individual(changed).put("middleName", "King");

        HttpResponse<String> put = http.put("/api/Contact/" + id, changed);

        assertThat(put.statusCode()).isEqualTo(200);
        Map<String, Object> answered = SandboxHttp.object(put);
        assertThat(answered).isEqualTo(get());
        assertThat(withoutStamps(answered)).isEqualTo(withoutStamps(changed));
        assertThat(answered.get("modifiedDateTimeUtc")).isEqualTo("2026-11-21T14:25:56.3533333");
        assertThat(answered.get("modifiedByUser")).isEqualTo("Sandbox API Key");
        assertThat(individual(answered).get("modifiedDateTimeUtc")).isEqualTo("2026-11-21T14:25:56.3533333");
        assertThat(method(answered, 0)).as("an unchanged part keeps its stamp").isEqualTo(method(before, 0));
        assertThat(answered.get("address")).isEqualTo(before.get("address"));
    }

    @Test
    void replaceClearsWhatTheBodyLeavesOut() {
        sandbox.setPutSemantics(PutSemantics.REPLACE);

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id,
                Map.of("contactType", "Household", "name", "Lovelace Household")));

        assertThat(answered).containsEntry("name", "Lovelace Household")
                .containsEntry("informalName", null)
                .containsEntry("contactIndividuals", List.of())
                .containsEntry("contactReferences", List.of())
                .containsEntry("tags", List.of())
                .containsEntry("customFields", List.of());
        assertThat(answered.get("address")).as("addresses change through /api/ContactAddress only").isNotNull();
        assertThat(http.get("/api/Contact/PartnerPlatform/donor-1").statusCode()).isEqualTo(404);
    }

    @Test
    void patchKeepsWhatTheBodyLeavesOutAndNullClears() {
        sandbox.setPutSemantics(PutSemantics.PATCH);
        Map<String, Object> before = get();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("description", "Met at the gala");
        body.put("informalName", null);

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id, body));

        Map<String, Object> expected = copy(before);
        expected.put("description", "Met at the gala");
        expected.put("informalName", null);
        assertThat(withoutStamps(answered)).isEqualTo(withoutStamps(expected));
    }

    @ParameterizedTest
    @EnumSource(PutSemantics.class)
    void sentArraysAreTheNewListMatchedById(PutSemantics semantics) {
        sandbox.setPutSemantics(semantics);
        Map<String, Object> contact = get();
        Map<String, Object> ada = individual(contact);
        Map<String, Object> email = method(contact, 0);
        email.put("isPrimary", false);
        List<Object> methods = new ArrayList<>();
        methods.add(email);
        methods.add(Map.of("type", "Work Email", "value", "ada@engine.org", "isOptedIn", true, "isPrimary", true));
        ada.put("contactMethods", methods);
        List<Object> individuals = new ArrayList<>(List.of(ada));
        individuals.add(Map.of("firstName", "William", "lastName", "King", "isPrimary", false, "isSecondary", true));
        contact.put("contactIndividuals", individuals);

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id, contact));

        List<Map<String, Object>> storedIndividuals = list(answered, "contactIndividuals");
        assertThat(storedIndividuals).extracting(individual -> individual.get("firstName")).containsExactly("Ada", "William");
        assertThat(storedIndividuals.get(1).get("id")).isInstanceOf(Number.class);
        assertThat(storedIndividuals.get(1)).containsEntry("contactId", (int) id).containsEntry("isSecondary", true);
        List<Map<String, Object>> storedMethods = list(storedIndividuals.get(0), "contactMethods");
        assertThat(storedMethods).extracting(method -> method.get("value"), method -> method.get("isPrimary"))
                .containsExactly(tuple("ada@example.org", false),
                        tuple("ada@engine.org", true));
        assertThat(storedMethods.get(0).get("id")).isEqualTo(email.get("id"));
        assertThat(storedMethods).as("the phone left out of the array is gone").hasSize(2);
    }

    @Test
    @SuppressWarnings("unchecked")
    void stringTypedBooleansAndNumbersAreA400AndChangeNothing() {
        Map<String, Object> before = get();
        Map<String, Object> body = copy(before);
        body.put("id", Long.toString(id));
        body.put("anniversaryYear", "2010");
        individual(body).put("isPrimary", "true");
        individual(body).put("firstName", "Augusta");

        HttpResponse<String> refused = http.put("/api/Contact/" + id, body);

        assertThat(refused.statusCode()).isEqualTo(400);
        Map<String, Object> error = SandboxHttp.object(refused);
        assertThat(error).containsEntry("message", "The request is invalid.");
        assertThat(((Map<String, ?>) error.get("modelState")).keySet())
                .containsExactly("contact.id", "contact.anniversaryYear", "contact.contactIndividuals[0].isPrimary");
        assertThat(((Map<?, ?>) error.get("modelState")).get("contact.contactIndividuals[0].isPrimary"))
                .isEqualTo(List.of("Error converting value \"true\" to type 'System.Boolean'. Path 'contactIndividuals[0].isPrimary'."));
        assertThat(get()).isEqualTo(before);
    }

    @Test
    void typeMismatchInTheTargetShapeNamesEachField() {
        sandbox.setErrorStyle("target");
        Map<String, Object> body = copy(get());
        body.put("isPrivate", "false");
        body.put("tags", "newsletter;gala");

        HttpResponse<String> refused = http.put("/api/Contact/" + id, body);

        assertThat(refused.statusCode()).isEqualTo(400);
        Map<?, ?> error = (Map<?, ?>) SandboxHttp.object(refused).get("error");
        assertThat(error.get("code")).isEqualTo("BAD_REQUEST");
        assertThat((List<?>) error.get("details")).extracting(detail -> ((Map<?, ?>) detail).get("field"), detail -> ((Map<?, ?>) detail).get("code"))
                .containsExactly(tuple("isPrivate", "INVALID_TYPE"),
                        tuple("tags", "INVALID_TYPE"));
    }

    @Test
    void numbersAreAcceptedWhereTheModelHasTextAndTextIsStoredTrimmed() {
        Map<String, Object> body = copy(get());
        body.put("description", "  Analyst  ");
        body.put("website", 42);

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id, body));

        assertThat(answered).containsEntry("description", "Analyst").containsEntry("website", "42");
    }

    @Test
    void everyWriteShowsALaterModifiedStampEvenWithinOneInstant() {
        Map<String, Object> contact = get();
        contact.put("description", "first");
        String first = (String) SandboxHttp.object(http.put("/api/Contact/" + id, contact)).get("modifiedDateTimeUtc");
        contact.put("description", "second");
        String second = (String) SandboxHttp.object(http.put("/api/Contact/" + id, contact)).get("modifiedDateTimeUtc");
        String unchanged = (String) SandboxHttp.object(http.put("/api/Contact/" + id, contact)).get("modifiedDateTimeUtc");

        assertThat(first).isEqualTo("2026-11-21T14:25:56.3533333");
        assertThat(second).isEqualTo("2026-11-21T14:25:56.3533334");
        assertThat(unchanged).as("a write that changes nothing still modifies the Contact").isEqualTo("2026-11-21T14:25:56.3533335");
        clock.advance(Duration.ofSeconds(1));
        assertThat(SandboxHttp.object(http.put("/api/Contact/" + id, contact)).get("modifiedDateTimeUtc")).isEqualTo("2026-11-21T14:25:57.3533333");
    }

    @Test
    void anotherUsersEditJustBeforeThePutShowsInTheStamps() {
        Map<String, Object> read = get();
        List<Map<String, Object>> staffEdits = new ArrayList<>();
        sandbox.onNextRequest("PUT", "/api/Contact/" + id,
                () -> staffEdits.add(sandbox.editContact(id, contact -> contact.put("description", "Phoned in"))));
        http.get("/api/Contact/" + id);
        assertThat(staffEdits).as("a GET is not the awaited request").isEmpty();
        read.put("informalName", "Augusta");

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id, read));
        http.put("/api/Contact/" + id, read);

        assertThat(staffEdits).as("the hook runs once").hasSize(1);
        assertThat(staffEdits.get(0)).containsEntry("description", "Phoned in")
                .containsEntry("modifiedByUser", "Sandbox Staff")
                .containsEntry("modifiedDateTimeUtc", "2026-11-21T14:25:56.3533333");
        assertThat(answered).as("the last write wins, and is stamped after the edit in the same instant")
                .containsEntry("description", null)
                .containsEntry("informalName", "Augusta")
                .containsEntry("modifiedDateTimeUtc", "2026-11-21T14:25:56.3533334");
    }

    @ParameterizedTest
    @EnumSource(PutSemantics.class)
    void severalIndividualsAddressesAndMethodsSurviveAFullRecordPut(PutSemantics semantics) {
        sandbox.setPutSemantics(semantics);
        long seasonal = sandbox.addAddress(id, Map.of("label", "Seasonal", "address1", "1 Ockham Park", "city", "Surrey"));
        sandbox.editContact(id, contact -> {
            List<Object> individuals = new ArrayList<>(list(contact, "contactIndividuals"));
            individuals.add(Map.of("firstName", "William", "lastName", "King", "isSecondary", true, "contactMethods",
                    List.of(Map.of("type", "Home Email", "value", "william@example.org"), Map.of("type", "Mobile Phone", "value", "555-0101"))));
            contact.put("contactIndividuals", individuals);
        });
        Map<String, Object> before = get();
        Map<String, Object> changed = copy(before);
        changed.put("tags", List.of("newsletter", "gala"));

        Map<String, Object> answered = SandboxHttp.object(http.put("/api/Contact/" + id, changed));

        assertThat(withoutStamps(answered)).isEqualTo(withoutStamps(changed));
        assertThat(list(answered, "contactIndividuals")).hasSize(2);
        assertThat(list(list(answered, "contactIndividuals").get(1), "contactMethods")).hasSize(2);
        assertThat(http.get("/api/ContactAddress/" + seasonal).statusCode()).isEqualTo(200);
    }

    private Map<String, Object> get() {
        HttpResponse<String> response = http.get("/api/Contact/" + id);
        assertThat(response.statusCode()).isEqualTo(200);
        return SandboxHttp.object(response);
    }
}
