package org.contactsync.intake;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.ReferencePair;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DonorValidatorTest {

    private final DonorValidator validator = new DonorValidator("PartnerPlatform", "Household", "Home Email", "Home Phone");

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
}
