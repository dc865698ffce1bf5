package org.contactsync.deadletter;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.intake.DonorInput;
import org.contactsync.ledger.DeadLetterStore;

/** The donor a replay sends back through intake, for the direct replay and for a replay preview alike. */
final class LetterDonors {

    private final ObjectMapper json = new ObjectMapper();

    /**
     * The corrected donor when the operator sends one, else the donor as stored. Either way under the letter's original
     * reference pair, so a replay can never become a second Contact.
     */
    DonorInput input(long letterId, DeadLetterStore.Letter letter, String correctedDonor) throws JsonProcessingException {
        String donorJson = correctedDonor == null || correctedDonor.isBlank() ? letter.donorJson() : correctedDonor;
        if (donorJson == null) {
            throw new IllegalArgumentException("dead letter " + letterId + " holds no readable donor (" + letter.reason()
                    + "); send the corrected donor as the request body");
        }
        Map<String, Object> donor;
        try {
            donor = json.readValue(donorJson, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the corrected donor is not a JSON object: " + e.getOriginalMessage());
        }
        if (letter.reference() != null) {
            donor.put("referenceSource", letter.reference().referenceSource());
            donor.put("referenceId", letter.reference().referenceId());
        }
        return DonorInput.parsed(donor, json.writeValueAsString(donor), "replay of dead letter " + letterId);
    }
}
