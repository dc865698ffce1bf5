package org.contactsync.update;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.ReferencePair;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The update path's logic on its own: what counts as a change, and what applying one leaves alone. */
class ContactUpdatesTest {

    private final ContactUpdates updates = new ContactUpdates(null, Clock.systemUTC(), Duration.ofSeconds(5));
    private final ReferencePair reference = new ReferencePair("PartnerPlatform", "d-1");

    @Test
    void onlyPresentValuesThatDifferAreChanges() {
        Map<String, Object> baseline = Map.of("firstName", "Ada", "email", "ada@example.org", "phone", "1");
        Map<String, Object> donor = Map.of("firstName", "Ada", "email", "ada@new.example.org", "archived", false);

        assertThat(DonorChanges.between(baseline, donor)).as("phone left out is no deletion; archived false is the default")
                .containsExactly(Map.entry("email", "ada@new.example.org"));
        assertThat(DonorChanges.between(null, Map.of("archived", true))).containsEntry("archived", true);
    }

    @Test
    void theTransactionCarriesNoUpdateOnlyField() {
        assertThat(DonorChanges.transactionPayload(Map.of("referenceId", "d-1", "archived", true,
                "contactReferences", List.of(Map.of("source", "Shop", "id", "s-1"))))).containsOnlyKeys("referenceId");
    }

    @Test
    void applyingKeepsUnknownFieldsAndTypesAndDoesNotTouchTheRecordRead() {
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("id", 7);
        contact.put("name", "Ada Lovelace");
        contact.put("isPrivate", false);
        contact.put("anniversaryYear", 2010);
        contact.put("someFieldFromTheFuture", Map.of("nested", List.of(1, 2)));
        contact.put("contactIndividuals", new ArrayList<>(List.of(new LinkedHashMap<>(Map.of("id", 9, "isPrimary", true,
                "firstName", "Ada", "lastName", "Lovelace", "contactMethods", List.of(Map.of("id", 3, "type", "Home Email",
                        "value", "ada@example.org", "isPrimary", true)))))));
        Map<String, Object> baseline = Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org");
        Map<String, Object> donor = Map.of("firstName", "Ada", "lastName", "King", "email", "ada@example.org", "birthDay", "10");
        ContactUpdate update = new ContactUpdate(7, reference, baseline, donor, DonorChanges.between(baseline, donor));

        Map<String, Object> record = updates.applyTo(update, contact);

        assertThat(record).containsEntry("isPrivate", false).containsEntry("anniversaryYear", 2010).containsEntry("name", "Ada King")
                .containsEntry("someFieldFromTheFuture", Map.of("nested", List.of(1, 2)));
        Map<String, Object> individual = ContactUpdateTest.individual(record, 0);
        assertThat(individual).containsEntry("lastName", "King").containsEntry("birthDay", 10).containsEntry("id", 9);
        assertThat(ContactUpdateTest.method(record, 0, 0)).containsEntry("value", "ada@example.org").containsEntry("isPrimary", true)
                .containsEntry("id", 3);
        assertThat(contact).containsEntry("name", "Ada Lovelace");
    }
}
