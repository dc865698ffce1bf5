package org.contactsync.intake;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.contactsync.ledger.Admission;

/**
 * Gathers what intake made of each donor of one request or file into an {@link IntakeReport}, and answers the sender:
 * 202 when at least one donor was accepted, 400 when none was; both list the accepted reference pairs and every reject's reasons.
 */
public class IntakeReceipt implements AggregationStrategy {

    /** The variables in which the donor-intake route leaves the {@link ValidatedDonor} and, when accepted, the ledger's {@link Admission}. */
    public static final String VALIDATED = "validated";
    public static final String ADMISSION = "admission";

    @Override
    public Exchange aggregate(Exchange receipt, Exchange donor) {
        Exchange target = receipt == null ? donor : receipt;
        if (donor.getException() != null) {
            // the donor could not be recorded (the database away): the delivery fails as a whole, so nothing that is not
            // in the ledger is ever reported accepted, and the platform (or the file's next poll) sends it again
            target.setException(donor.getException());
            return target;
        }
        IntakeReport report = receipt == null ? new IntakeReport() : receipt.getMessage().getBody(IntakeReport.class);
        ValidatedDonor validated = donor.getVariable(VALIDATED, ValidatedDonor.class);
        Map<String, Object> item = new LinkedHashMap<>();
        if (validated.isValid()) {
            item.put("referenceSource", validated.getReference().referenceSource());
            item.put("referenceId", validated.getReference().referenceId());
            item.put("admission", donor.getVariable(ADMISSION, Admission.class).name());
            report.accepted().add(item);
        } else {
            item.put("origin", validated.getInput().origin());
            if (validated.getReference() != null) {
                item.put("referenceId", validated.getReference().referenceId());
            }
            item.put("problems", validated.getProblems());
            report.rejected().add(item);
        }
        target.getMessage().setBody(report);
        return target;
    }

    /** The HTTP answer for {@code POST /donors}: sets the status and returns the report. */
    public IntakeReport respond(IntakeReport report, Exchange exchange) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, report.accepted().isEmpty() ? 400 : 202);
        return report;
    }
}
