package org.contactsync.update;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.PutSemantics;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.ContactDiff;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The update path against the sandbox, under both PUT semantics: a changed donor changes exactly its fields on a
 * Contact that has several individuals, addresses, contact methods, references and custom fields, and nothing else.
 * Each test compares the whole Contact before and after, field by field.
 */
class ContactUpdateTest {

    private static final String SOURCE = "PartnerPlatform";

    /** Virtuous's documented PUT: whatever the body leaves out is cleared. */
    @Nested
    class FullReplacement extends Scenarios {
        @RegisterExtension
        static final SyncFixture fixture = fixtureFor(PutSemantics.REPLACE);

        FullReplacement() {
            super(PutSemantics.REPLACE, fixture);
        }
    }

    /** What the live API reportedly does: whatever the body leaves out is kept. */
    @Nested
    class Patch extends Scenarios {
        @RegisterExtension
        static final SyncFixture fixture = fixtureFor(PutSemantics.PATCH);

        Patch() {
            super(PutSemantics.PATCH, fixture);
        }
    }

    /** One sandbox and bundle for each semantics' scenarios, and one instance too: donors numbers the donors they share. */
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Scenarios {

        private final PutSemantics semantics;
        private final SyncFixture fixture;
        private final AtomicInteger donors = new AtomicInteger();

        Scenarios(PutSemantics semantics, SyncFixture fixture) {
            this.semantics = semantics;
            this.fixture = fixture;
        }

        static SyncFixture fixtureFor(PutSemantics semantics) {
            return new SyncFixture().sandbox(sandbox -> sandbox.setPutSemantics(semantics));
        }

        private VirtuousSandbox sandbox() {
            return fixture.sandbox();
        }

        private SyncBundle bundle() {
            return fixture.bundle();
        }

        @Test
        void newEmailBecomesThePrimaryAndTheOldOneStaysDemoted() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("email", "ada.byron@example.org"));

            ContactDiff.between(donor.contact, after).changedOnly(
                    "contactIndividuals[0].contactMethods[0].isPrimary", "contactIndividuals[0].contactMethods[0].canBePrimary",
                    "contactIndividuals[0].contactMethods[3].");
            Map<String, Object> added = method(after, 0, 3);
            assertThat(added).containsEntry("value", "ada.byron@example.org").containsEntry("type", "Home Email")
                    .containsEntry("isPrimary", true);
            assertThat(method(after, 0, 0)).containsEntry("value", donor.email()).containsEntry("isPrimary", false);
            assertThat(sandbox().requestCount("GET", "/api/Contact/" + donor.contactId)).isEqualTo(1);
            assertThat(sandbox().requestCount("PUT", "/api/Contact/" + donor.contactId)).isEqualTo(1);
            assertThat(sandbox().requests()).hasSize(2);
        }

        @Test
        void newPhoneBecomesThePrimaryPhone() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("phone", "+1 555 0199", "phoneType", "Mobile Phone"));

            ContactDiff.between(donor.contact, after).changedOnly(
                    "contactIndividuals[0].contactMethods[1].isPrimary", "contactIndividuals[0].contactMethods[1].canBePrimary",
                    "contactIndividuals[0].contactMethods[3].");
            assertThat(method(after, 0, 3)).containsEntry("value", "+1 555 0199").containsEntry("type", "Mobile Phone")
                    .containsEntry("isPrimary", true);
        }

        @Test
        void nameChangeReachesThePrimaryIndividualAndTheContactName() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("lastName", "King", "birthYear", "1952"));

            ContactDiff.between(donor.contact, after).changedOnly("name", "contactIndividuals[0].lastName",
                    "contactIndividuals[0].birthYear", "contactIndividuals[0].approximateAge");
            assertThat(after).containsEntry("name", "Ada King");
            assertThat(individual(after, 0)).containsEntry("lastName", "King").containsEntry("birthYear", 1952);
        }

        @Test
        void addressChangeGoesThroughThePrimaryContactAddress() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("address1", "12 St James's Square", "postal", "SW1Y 4JH"));

            ContactDiff.between(donor.contact, after).changedOnly("address.address1", "address.postal");
            assertThat(sandbox().requestCount("PUT", "/api/Contact/")).as("the Contact record itself is not written").isZero();
            assertThat(sandbox().requestCount("GET", "/api/ContactAddress/")).isEqualTo(1);
            assertThat(sandbox().requestCount("PUT", "/api/ContactAddress/")).isEqualTo(1);
        }

        @Test
        void newReferenceIsAppended() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("contactReferences", List.of(Map.of("source", "EventsApp", "id", "att-77"))));

            ContactDiff.between(donor.contact, after).changedOnly("contactReferences[2].");
            assertThat(after.get("contactReferences")).asList()
                    .contains(Map.of("source", "EventsApp", "id", "att-77"), Map.of("source", "Shop", "id", "shop-" + donor.referenceId));
        }

        @Test
        void customFieldAndTagsChangeItemByItem() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> after = update(donor, Map.of("customFields", Map.of("Preferred Channel", "Email"), "tags", "gala;volunteer"));

            ContactDiff.between(donor.contact, after).changedOnly("customFields[0].value", "tags[1]", "tags[2]");
            assertThat(after.get("customFields")).asList().contains(Map.of("name", "Preferred Channel", "value", "Email", "dataType", "Text"),
                    Map.of("name", "Staff Notes", "value", "Met at the 2025 gala", "dataType", "Text"));
            assertThat(after.get("tags")).as("the tag the donor lost is removed, the one staff added stays")
                    .asList().containsExactly("gala", "board", "volunteer");
        }

        @Test
        void archiveUsesTheArchiveEndpointAndUnarchiveReversesIt() throws Exception {
            Synced donor = syncedDonor();

            Map<String, Object> archived = update(donor, Map.of("archived", true));

            ContactDiff.between(donor.contact, archived).changedOnly("isArchived");
            assertThat(archived).containsEntry("isArchived", true);
            assertThat(sandbox().requests()).extracting(request -> request.method() + " " + request.path())
                    .containsExactly("PUT /api/Contact/Archive/" + donor.contactId);

            Map<String, Object> restored = update(new Synced(donor.referenceId, donor.contactId, archived, with(donor.fields, "archived", true)),
                    Map.of("archived", false));
            ContactDiff.between(donor.contact, restored).nothingChanged();
        }

        @Test
        void unchangedResendCostsNoRequest() throws Exception {
            Synced donor = syncedDonor();
            LedgerEntry before = bundle().entry(SOURCE, donor.referenceId);

            assertThat(bundle().post("/donors", json(donor.fields)).json().toString()).contains("UNCHANGED");

            assertThat(sandbox().requests()).isEmpty();
            assertThat(bundle().entry(SOURCE, donor.referenceId).updatedAt()).isEqualTo(before.updatedAt());
            ContactDiff.between(donor.contact, sandbox().contact(donor.contactId)).nothingChanged();
        }

        @Test
        void aFieldLeftOutIsNotADeletion() throws Exception {
            Synced donor = syncedDonor();
            Map<String, Object> withoutPhone = new LinkedHashMap<>(donor.fields);
            withoutPhone.remove("phone");

            bundle().post("/donors", json(withoutPhone));
            bundle().awaitApplied(SOURCE, donor.referenceId);

            assertThat(sandbox().requests()).as("nothing Virtuous can take, so nothing sent").isEmpty();
            ContactDiff.between(donor.contact, sandbox().contact(donor.contactId)).nothingChanged();
        }

        @Test
        void conflictingEmailEndsInTheDeadLetterWithVirtuousMessage() throws Exception {
            Synced donor = syncedDonor();
            sandbox().seedContact(Map.of("referenceSource", "Elsewhere", "referenceId", "other-" + donor.referenceId, "contactType", "Household",
                    "firstName", "Charles", "lastName", "Babbage", "email", "taken-" + donor.referenceId + "@example.org"));

            bundle().post("/donors", json(with(donor.fields, "email", "taken-" + donor.referenceId + "@example.org")));

            DeadLetter letter = awaitDeadLetter(donor.referenceId);
            assertThat(letter.httpStatus()).isEqualTo(409);
            assertThat(letter.reason()).contains("409").contains("taken-" + donor.referenceId + "@example.org");
            ContactDiff.between(donor.contact, sandbox().contact(donor.contactId)).nothingChanged();
        }

        @Test
        void validationFailureEndsInTheDeadLetterWithTheDetails() throws Exception {
            Synced donor = syncedDonor();
            sandbox().setErrorStyle("target");
            try {
                bundle().post("/donors", json(with(donor.fields, "contactType", "Spaceship")));

                DeadLetter letter = awaitDeadLetter(donor.referenceId);
                assertThat(letter.httpStatus()).isEqualTo(422);
                assertThat(letter.reason()).contains("contactType").contains("'Spaceship' is not a contact type");
            } finally {
                sandbox().setErrorStyle("legacy");
            }
        }

        @Test
        void validationFailureInTheLegacyErrorStyleEndsInTheDeadLetterWithTheModelState() throws Exception {
            Synced donor = syncedDonor();

            bundle().post("/donors", json(with(donor.fields, "contactType", "Spaceship")));

            DeadLetter letter = awaitDeadLetter(donor.referenceId);
            assertThat(letter.httpStatus()).isEqualTo(400);
            assertThat(letter.reason()).contains("contactType").contains("'Spaceship' is not a contact type");
        }

        @Test
        void mergedContactTakesTheUpdateOnTheSurvivor() throws Exception {
            Synced donor = syncedDonor();
            long survivor = sandbox().seedContact(Map.of("contactType", "Household", "firstName", "Ada", "lastName", "Lovelace"));
            sandbox().mergeContact(donor.contactId, survivor);
            sandbox().clearRequests();

            bundle().post("/donors", json(with(donor.fields, "email", "merged-" + donor.referenceId + "@example.org")));

            LedgerEntry entry = bundle().awaitApplied(SOURCE, donor.referenceId);
            assertThat(entry.contactId()).isEqualTo(survivor);
            assertThat(sandbox().contact(survivor).toString()).contains("merged-" + donor.referenceId + "@example.org");
            assertThat(bundle().deadLetters()).noneMatch(letter -> donor.referenceId.equals(letter.referenceId()));
        }

        @Test
        void deletedContactEndsInTheDeadLetter() throws Exception {
            Synced donor = syncedDonor();
            sandbox().deleteContact(donor.contactId);

            bundle().post("/donors", json(with(donor.fields, "email", "gone-" + donor.referenceId + "@example.org")));

            DeadLetter letter = awaitDeadLetter(donor.referenceId);
            assertThat(letter.reason()).contains("no longer exists in Virtuous").contains(SOURCE + ":" + donor.referenceId);
            assertThat(bundle().entry(SOURCE, donor.referenceId).state()).isEqualTo(SyncState.FAILED);
        }

        /**
         * A Contact with two individuals, the primary one with two emails and a phone, two addresses, two references,
         * two custom fields and two tags; the donor is sent once and found by its reference (SYNCED, baseline = donor).
         */
        @SuppressWarnings("unchecked")
        private Synced syncedDonor() throws Exception {
            String referenceId = semantics.name().toLowerCase() + "-" + donors.incrementAndGet();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("referenceSource", SOURCE);
            fields.put("referenceId", referenceId);
            fields.put("contactType", "Household");
            fields.put("firstName", "Ada");
            fields.put("lastName", "Lovelace");
            fields.put("email", referenceId + "@example.org");
            fields.put("phone", "+44 20 7946 0000");
            fields.put("address1", "10 St James's Square");
            fields.put("city", "London");
            fields.put("postal", "SW1Y 4JU");
            fields.put("country", "GB");
            fields.put("tags", "gala;major donor");
            fields.put("customFields", Map.of("Preferred Channel", "Post"));
            long contactId = sandbox().seedContact(fields);
            sandbox().editContact(contactId, contact -> {
                List<Map<String, Object>> individuals = castList(contact.get("contactIndividuals"));
                List<Map<String, Object>> methods = castList(individuals.get(0).get("contactMethods"));
                methods.add(new LinkedHashMap<>(Map.of("type", "Work Email", "value", "work-" + referenceId + "@example.org", "isPrimary", false)));
                individuals.add(new LinkedHashMap<>(Map.of("firstName", "William", "lastName", "King", "isPrimary", false, "isSecondary", true,
                        "contactMethods", List.of(Map.of("type", "Home Email", "value", "william-" + referenceId + "@example.org", "isPrimary", true)))));
                castList(contact.get("contactReferences")).add(Map.of("source", "Shop", "id", "shop-" + referenceId));
                castList(contact.get("customFields")).add(Map.of("name", "Staff Notes", "value", "Met at the 2025 gala"));
                contact.put("description", "Mathematician");
                ((List<Object>) contact.get("tags")).add("board");
            });
            sandbox().addAddress(contactId, Map.of("label", "Seasonal", "address1", "Ockham Park", "city", "Surrey", "startMonth", 6, "startDay", 1,
                    "endMonth", 8, "endDay", 31));
            Map<String, Object> donor = new LinkedHashMap<>(fields);
            donor.remove("referenceSource");
            bundle().post("/donors", json(donor));
            LedgerEntry entry = bundle().awaitApplied(SOURCE, referenceId);
            assertThat(entry.contactId()).isEqualTo(contactId);
            Map<String, Object> contact = sandbox().contact(contactId);
            assertThat(castList(contact.get("contactIndividuals"))).hasSize(2);
            assertThat(castList(individual(contact, 0).get("contactMethods"))).hasSize(3);
            sandbox().clearRequests();
            return new Synced(referenceId, contactId, contact, donor);
        }

        /** Sends the donor again with {@code changes} and returns the Contact once the change is applied. */
        private Map<String, Object> update(Synced donor, Map<String, Object> changes) throws Exception {
            sandbox().clearRequests();
            Map<String, Object> changed = new LinkedHashMap<>(donor.fields);
            changed.putAll(changes);
            assertThat(bundle().post("/donors", json(changed)).status()).isEqualTo(202);
            bundle().awaitApplied(SOURCE, donor.referenceId);
            assertThat(bundle().deadLetters()).noneMatch(letter -> donor.referenceId.equals(letter.referenceId()));
            return sandbox().contact(donor.contactId);
        }

        private DeadLetter awaitDeadLetter(String referenceId) {
            bundle().awaitState(SOURCE, referenceId, SyncState.FAILED);
            return org.awaitility.Awaitility.await().until(() -> bundle().deadLetters().stream()
                    .filter(letter -> referenceId.equals(letter.referenceId())).findFirst().orElse(null), letter -> letter != null);
        }
    }

    record Synced(String referenceId, long contactId, Map<String, Object> contact, Map<String, Object> fields) {
        String email() {
            return (String) fields.get("email");
        }
    }

    static Map<String, Object> with(Map<String, Object> fields, String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(fields);
        copy.put(name, value);
        return copy;
    }

    static Map<String, Object> individual(Map<String, Object> contact, int index) {
        return castList(contact.get("contactIndividuals")).get(index);
    }

    static Map<String, Object> method(Map<String, Object> contact, int individual, int index) {
        return castList(individual(contact, individual).get("contactMethods")).get(index);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> castList(Object list) {
        return (List<Map<String, Object>>) list;
    }

    static String json(Map<String, Object> fields) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(fields);
    }
}
