package org.contactsync.intake;

import java.util.List;
import java.util.Map;

import org.contactsync.ledger.ReferencePair;

/** A donor after validation: normalised fields ready for the ledger, or the reasons it was rejected. */
public class ValidatedDonor {

    private final DonorInput input;
    private final Map<String, Object> donor;
    private final ReferencePair reference;
    private final List<String> problems;

    ValidatedDonor(DonorInput input, Map<String, Object> donor, ReferencePair reference, List<String> problems) {
        this.input = input;
        this.donor = donor;
        this.reference = reference;
        this.problems = List.copyOf(problems);
    }

    public boolean isValid() {
        return problems.isEmpty();
    }

    public DonorInput getInput() {
        return input;
    }

    public Map<String, Object> getDonor() {
        return donor;
    }

    /** Null when the donor carried no usable referenceId. */
    public ReferencePair getReference() {
        return reference;
    }

    public List<String> getProblems() {
        return problems;
    }

    /** The problems as one line, for a dead-letter reason or a log line. */
    public String getReason() {
        return String.join("; ", problems);
    }
}
