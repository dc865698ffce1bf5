package org.contactsync.intake;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.Admissions;

/**
 * The machinery of {@code routes/donor-intake.camel.yaml}: parsing a file or a request body into donors, validating and
 * normalising one, recording it in the ledger (committed before anything is acknowledged), and the answer to
 * {@code POST /donors}. The donor is validated into the {@code validated} variable; the ledger's verdict is the
 * {@code admission} variable.
 */
public final class IntakeRoutes extends BundleRouteBuilder {

    private final DonorParser parser;
    private final DonorValidator validator;
    private final Admissions admissions;
    private final DeadLetterStore deadLetters;
    private final IntakeReceipt receipt;

    public IntakeRoutes(DonorParser parser, DonorValidator validator, Admissions admissions, DeadLetterStore deadLetters, IntakeReceipt receipt) {
        this.parser = parser;
        this.validator = validator;
        this.admissions = admissions;
        this.deadLetters = deadLetters;
        this.receipt = receipt;
    }

    @Override
    public void configure() {
        step("parse-file", "A dropped file's donors (CSV with a header row, or a JSON object or array), each with its line")
                .process(exchange -> exchange.getMessage().setBody(parser.parseFile(exchange.getMessage().getBody(String.class),
                        exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class))));

        step("parse-json", "A request's donors: a JSON object or array")
                .process(exchange -> exchange.getMessage().setBody(parser.parseJson(exchange.getMessage().getBody(String.class),
                        exchange.getVariable("origin", String.class))));

        step("validate", "Validates and normalises one donor: the validated variable, and the body")
                .process(exchange -> {
                    ValidatedDonor validated = validator.validate(exchange.getMessage().getBody(DonorInput.class));
                    exchange.setVariable(IntakeReceipt.VALIDATED, validated);
                    exchange.getMessage().setBody(validated);
                });

        step("record", "Records the valid donor in the ledger: the admission variable")
                .process(exchange -> {
                    ValidatedDonor validated = exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class);
                    Admission admission = admissions.receive(validated.getReference(), validated.getDonor());
                    exchange.setVariable(IntakeReceipt.ADMISSION, admission);
                    exchange.getMessage().setBody(validated.getReference());
                });

        step("supersede-dead-letters", "The platform sent the recorded donor again: its open dead letters are closed as superseded")
                .process(exchange -> {
                    Admission admission = exchange.getVariable(IntakeReceipt.ADMISSION, Admission.class);
                    if (admission != null) {
                        deadLetters.supersede(exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class).getReference(), admission,
                                exchange.getVariable("origin", String.class));
                    }
                });

        step("intake-answer", "POST /donors's answer: 202 with the accepted reference pairs, 400 when none was accepted, every reject's reasons")
                .process(exchange -> exchange.getMessage().setBody(receipt.respond(exchange.getMessage().getBody(), exchange)))
                .marshal().json()
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"));
    }
}
