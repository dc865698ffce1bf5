package org.contactsync.intake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.ReferencePair;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DonorValidatorTest {

    private final DonorValidator validator = new DonorValidator("PartnerPlatform", "Household", "Home Email", "Home Phone", 1000);

    private ValidatedDonor validate(Map<String, Object> fields) {
        return validator.validate(DonorInput.parsed(new LinkedHashMap<>(fields), fields.toString(), "test"));
    }

    @Test
    void trimsLowerCasesEmailsAndMakesDefaultsExplicit() {
        ValidatedDonor donor = validate(Map.of("referenceId", " d-1 ", "firstName", "  Ada ", "lastName", "Lovelace",
                "email", " Ada@Example.ORG ", "phone", "555 0100"));

        assertThat(donor.isValid()).isTrue();
        assertThat(donor.getReference()).isEqualTo(new ReferencePair("PartnerPlatform", "d-1"));
        assertThat(donor.getDonor()).containsEntry("firstName", "Ada").containsEntry("email", "ada@example.org")
                .containsEntry("emailType", "Home Email").containsEntry("phoneType", "Home Phone")
                .containsEntry("contactType", "Household").containsEntry("referenceSource", "PartnerPlatform");
    }

    @Test
    void keepsTheDonorsOwnReferenceSourceAndTypes() {
        ValidatedDonor donor = validate(Map.of("referenceSource", "Events", "referenceId", 42, "name", "Acme Trust",
                "contactType", "Foundation", "email", "a@b.org", "emailType", "Work Email"));

        assertThat(donor.getReference()).isEqualTo(new ReferencePair("Events", "42"));
        assertThat(donor.getDonor()).containsEntry("contactType", "Foundation").containsEntry("emailType", "Work Email");
    }

    @Test
    void givesNaturalJsonTypesToFlagsAndIds() {
        ValidatedDonor donor = validate(Map.of("referenceId", "d", "name", "N", "rsvp", "TRUE", "attended", false,
                "invited", "no", "eventId", "17"));

        assertThat(donor.getDonor()).containsEntry("rsvp", true).containsEntry("attended", false)
                .containsEntry("invited", false).containsEntry("eventId", 17L);
    }

    @Test
    void tagsBecomeOneSemicolonSeparatedString() {
        assertThat(validate(Map.of("referenceId", "d", "name", "N", "tags", List.of(" a ", "b", ""))).getDonor())
                .containsEntry("tags", "a;b");
        assertThat(validate(Map.of("referenceId", "d", "name", "N", "tags", "a; b ;")).getDonor())
                .containsEntry("tags", "a;b");
    }

    @Test
    void rejectsEachProblemWithItsOwnReason() {
        ValidatedDonor donor = validate(Map.of("firstName", "Only", "email", "nope@", "rsvp", "maybe", "birthMonth", "13"));

        assertThat(donor.isValid()).isFalse();
        assertThat(donor.getReference()).isNull();
        assertThat(donor.getProblems()).containsExactlyInAnyOrder(
                "referenceId: required, the platform's stable id for the donor",
                "name: required, either firstName and lastName, or name",
                "email: 'nope@' is not an email address",
                "rsvp: expected true or false, found 'maybe'",
                "birthMonth: expected a number from 1 to 12, found '13'");
    }

    @Test
    void blankValuesCountAsAbsent() {
        ValidatedDonor donor = validate(Map.of("referenceId", "  ", "firstName", "A", "lastName", " "));

        assertThat(donor.getProblems()).hasSize(2);
    }

    @Test
    void leavesOutFieldsTheTransactionDoesNotKnow() {
        assertThat(validate(Map.of("referenceId", "d", "name", "N", "favouriteColour", "teal")).getDonor())
                .doesNotContainKey("favouriteColour");
    }

    @Test
    void unreadableInputIsRejectedWithTheParseError() {
        ValidatedDonor donor = validator.validate(DonorInput.unreadable("{oops", "POST /donors", "malformed JSON: x"));

        assertThat(donor.getProblems()).containsExactly("malformed JSON: x");
    }

    @Test
    void aValueLongerThanTheLimitRejectsItsDonorWithoutQuotingItWhole() {
        ValidatedDonor donor = validate(Map.of("referenceId", "long-1", "name", "x".repeat(5_000_000), "email", "e".repeat(900)));

        assertThat(donor.getProblems()).containsExactlyInAnyOrder("name: 5000000 characters, longer than the 1000 allowed",
                "name: required, either firstName and lastName, or name",
                "email: '" + "e".repeat(100) + "...' (900 characters) is not an email address");
        assertThat(donor.getReference()).isEqualTo(new ReferencePair("PartnerPlatform", "long-1"));
    }

    @Test
    void aReferencePairPastTheLedgersColumnsIsRejectedAndNamesNoDonor() {
        ValidatedDonor longId = validate(Map.of("referenceId", "r".repeat(201), "name", "Acme"));
        ValidatedDonor longSource = validate(Map.of("referenceSource", "s".repeat(101), "referenceId", "known-1", "name", "Acme"));

        assertThat(longId.getProblems()).containsExactly("referenceId: 201 characters, longer than the 200 allowed");
        assertThat(longSource.getProblems()).containsExactly("referenceSource: 101 characters, longer than the 100 allowed");
        assertThat(longId.getReference()).isNull();
        assertThat(longSource.getReference()).as("not PartnerPlatform:known-1, another donor").isNull();
    }

    @Test
    void aDonorLargerThanTheLedgerKeepsIsRejected() {
        ValidatedDonor donor = validate(Map.of("referenceId", "big-1", "name", "Big", "emailLists", List.of("l".repeat(60_000), "m".repeat(60_000))));

        assertThat(donor.getReason()).startsWith("donor: ").endsWith("characters as JSON, more than the 100000 the ledger keeps");
    }

    @Test
    void theDeliverysReferenceSourceIsTheDefaultForDonorsWithoutOne() {
        ValidatedDonor donor = validator.validate(DonorInput.parsed(new LinkedHashMap<>(Map.of("referenceId", "k-1", "name", "Kafka")), "{}", "t"),
                "Webshop");

        assertThat(donor.getReference()).isEqualTo(new ReferencePair("Webshop", "k-1"));
    }
}
