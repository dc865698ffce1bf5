package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.contactsync.sandbox.ContactJson.individual;
import static org.contactsync.sandbox.ContactJson.list;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 409 and 422 (400 in the legacy style) answers of the update endpoints, and that a refused write changes nothing. */
class ContactUpdateErrorsTest {

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);
    private long ada;
    private long grace;

    @BeforeEach
    void start() {
        sandbox.start();
        ada = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org",
                "referenceSource", "PartnerPlatform", "referenceId", "donor-1"));
        grace = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org",
                "referenceSource", "PartnerPlatform", "referenceId", "donor-2"));
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void referenceOfAnotherContactIsAConflict() {
        Map<String, Object> before = get(ada);
        Map<String, Object> body = get(ada);
        body.put("contactReferences", List.of(Map.of("source", "PartnerPlatform", "id", "donor-1"),
                Map.of("source", "PartnerPlatform", "id", "donor-2")));

        HttpResponse<String> legacy = http.put("/api/Contact/" + ada, body);
        assertThat(legacy.statusCode()).isEqualTo(409);
        assertThat(SandboxHttp.object(legacy)).isEqualTo(Map.of("message", "The reference PartnerPlatform/donor-2 is already on another Contact."));

        sandbox.setErrorStyle("target");
        HttpResponse<String> target = http.put("/api/Contact/" + ada, body);
        assertThat(target.statusCode()).isEqualTo(409);
        Map<?, ?> error = (Map<?, ?>) SandboxHttp.object(target).get("error");
        assertThat(error.get("code")).isEqualTo("CONFLICT");
        assertThat(error.get("details")).isEqualTo(List.of(Map.of("field", "contactReferences", "code", "DUPLICATE",
                "message", "The reference PartnerPlatform/donor-2 is already on another Contact.")));
        assertThat(get(ada)).isEqualTo(before);
    }

    @Test
    void emailOfAnotherContactIsAConflictWhereverItIsWritten() {
        Map<String, Object> body = get(ada);
        ContactJson.method(body, 0).put("value", "GRACE@example.org");
        assertThat(http.put("/api/Contact/" + ada, body).statusCode()).isEqualTo(409);

        Object individualId = individual(get(ada)).get("id");
        assertThat(http.postJson("/api/ContactMethod", Map.of("contactIndividualId", individualId, "type", "Work Email",
                "value", "grace@example.org")).statusCode()).isEqualTo(409);
        assertThat(list(individual(get(ada)), "contactMethods")).hasSize(1);
    }

    @Test
    void emailsSharedBeforeTheWriteAreNoConflict() {
        long twin = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Byron", "email", "ada@example.org"));
        Map<String, Object> body = get(twin);
        body.put("description", "a duplicate staff created");

        assertThat(http.put("/api/Contact/" + twin, body).statusCode()).isEqualTo(200);
    }

    @Test
    void replacementWithoutTheRequiredFieldsFailsValidation() {
        sandbox.setErrorStyle("target");

        HttpResponse<String> refused = http.put("/api/Contact/" + ada, Map.of("description", "only this"));

        assertThat(refused.statusCode()).isEqualTo(422);
        Map<?, ?> error = (Map<?, ?>) SandboxHttp.object(refused).get("error");
        assertThat(error.get("code")).isEqualTo("VALIDATION_FAILED");
        assertThat(fields(error)).containsExactly("contactType", "name");
    }

    @Test
    void validationFailuresAreNamedByTheirPath() {
        sandbox.setErrorStyle("target");
        Map<String, Object> body = get(ada);
        body.put("contactType", "Clan");
        body.put("contactReferences", List.of(Map.of("source", "PartnerPlatform")));
        List<Object> individuals = new ArrayList<>(list(body, "contactIndividuals"));
        individuals.add(Map.of("firstName", "Byron", "isPrimary", true));
        individuals.add(Map.of("id", 424242, "firstName", "Stranger"));
        body.put("contactIndividuals", individuals);

        HttpResponse<String> refused = http.put("/api/Contact/" + ada, body);

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(fields((Map<?, ?>) SandboxHttp.object(refused).get("error")))
                .containsExactly("contactIndividuals[2].id", "contactReferences[0]", "contactType", "contactIndividuals");
    }

    @Test
    void legacyStyleReportsValidationAsA400ModelState() {
        Map<String, Object> body = get(ada);
        individual(body).put("isPrimary", false);

        HttpResponse<String> refused = http.put("/api/Contact/" + ada, body);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(SandboxHttp.object(refused)).isEqualTo(Map.of("message", "The request is invalid.", "modelState",
                Map.of("contact.contactIndividuals", List.of("A Contact with individuals has exactly one primary individual, not 0."))));
    }

    @Test
    void facadeEditsFollowTheSameRules() {
        assertThatThrownBy(() -> sandbox.editContact(ada, contact -> contact.put("isPrivate", "true")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("isPrivate");
        assertThatThrownBy(() -> sandbox.editContact(ada, contact -> contact.put("contactReferences",
                List.of(Map.of("source", "PartnerPlatform", "id", "donor-2"))))).isInstanceOf(IllegalArgumentException.class);
        assertThat(sandbox.contact(ada)).containsEntry("isPrivate", false);
    }

    private Map<String, Object> get(long id) {
        HttpResponse<String> response = http.get("/api/Contact/" + id);
        assertThat(response.statusCode()).isEqualTo(200);
        return SandboxHttp.object(response);
    }

    private static List<Object> fields(Map<?, ?> error) {
        return ((List<?>) error.get("details")).stream().map(detail -> (Object) ((Map<?, ?>) detail).get("field")).toList();
    }
}
