package org.contactsync.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.Admissions;
import org.contactsync.ledger.Admissions.Admitted;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.live.LivePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/donor-intake.camel.yaml}: reading a file, a request or any source's body into donors
 * (or refusing it as a whole), validating and normalising one, recording it in the ledger (committed before anything
 * is acknowledged), and the answers to {@code POST /donors}. The donor is validated into the {@code validated} variable;
 * the ledger's verdict is the {@code admission} variable, and {@code enlisted} says it waits in a bulk load: its
 * delivery's, or the live path's while that coalesces ({@code findsGranted}: coalescing, it goes for its Finds first).
 */
public final class IntakeRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.intake");
    /** The stamp a file's new name starts with in .done/ and .failed/: the file route's ${date:now:yyyyMMdd-HHmmss}, local time. */
    private static final DateTimeFormatter FILED = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final DonorParser parser;
    private final RequestReader requests;
    private final DonorValidator validator;
    private final Admissions admissions;
    private final DeadLetterStore deadLetters;
    private final IntakeReceipt receipt;
    private final LivePlan live;

    /** {@code live}: the live path's plan, which gives the load a new donor joins while it coalesces and counts the new donors' pace. */
    public IntakeRoutes(DonorParser parser, RequestReader requests, DonorValidator validator, Admissions admissions, DeadLetterStore deadLetters,
            IntakeReceipt receipt, LivePlan live) {
        this.parser = parser;
        this.requests = requests;
        this.validator = validator;
        this.admissions = admissions;
        this.deadLetters = deadLetters;
        this.receipt = receipt;
        this.live = live;
    }

    @Override
    public void configure() {
        step("parse-file", "A dropped file's donors (CSV with a header row, or a JSON object or array), each with its line; refused when none can be read")
                .process(exchange -> exchange.getMessage().setBody(parser.parseFile(exchange.getMessage().getBody(byte[].class),
                        exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class))));

        step("read-request", "POST /donors's donors: a JSON object or array within sync.intake.max-bytes and max-items; refused as a whole (400, 413, 415) otherwise")
                .process(exchange -> exchange.getMessage().setBody(requests.read(exchange.getMessage().getBody(byte[].class),
                        exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class), exchange.getVariable("origin", String.class))));

        step("delivery", "The front door's body as donors: DonorInputs, a Map (one donor), a List of Maps, or JSON text; refused as a whole otherwise")
                .process(exchange -> {
                    Object body = exchange.getMessage().getBody();
                    boolean structured = body instanceof DonorInput || body instanceof Map || body instanceof Collection;
                    exchange.getMessage().setBody(parser.delivery(structured ? body : exchange.getMessage().getBody(String.class),
                            exchange.getVariable("origin", "a Camel source", String.class)));
                });

        step("validate", "Validates and normalises one donor (the referenceSource variable: the delivery's default): the validated variable, and the body")
                .process(exchange -> {
                    ValidatedDonor validated = validator.validate(exchange.getMessage().getBody(DonorInput.class),
                            exchange.getVariable("referenceSource", String.class));
                    exchange.setVariable(IntakeReceipt.VALIDATED, validated);
                    exchange.getMessage().setBody(validated);
                });

        step("record", "Records the valid donor in the ledger (the admission variable) and, in the same commit, enlists a donor that needs a Contact "
                + "in the delivery's bulk load or, while the live path coalesces, in its load (the enlisted variable)")
                .process(exchange -> {
                    ValidatedDonor validated = exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class);
                    // the dead letters this delivery supersedes are those written before it was recorded
                    exchange.setVariable("recordedAt", deadLetters.now());
                    Long bulkLoad = exchange.getVariable("bulkLoad", Long.class);
                    Long liveLoad = bulkLoad == null ? live.coalescingLoad() : null;
                    // coalescing, a new donor skips the queue and its consumer, unless the window's surplus grants its Finds
                    boolean granted = liveLoad != null && live.grantFinds();
                    Admitted admitted;
                    try {
                        admitted = admissions.receive(validated.getReference(), validated.getDonor(), bulkLoad != null ? bulkLoad : granted ? null : liveLoad);
                    } catch (RuntimeException notRecorded) {
                        if (granted) {
                            live.returnFinds();
                        }
                        throw notRecorded;
                    }
                    boolean arrived = bulkLoad == null && admitted.admission() == Admission.NEW;
                    if (arrived) {
                        live.arrived();
                    } else if (granted) {
                        // a donor the ledger knew needs no lookup: it goes where a known donor goes
                        live.returnFinds();
                    }
                    exchange.setVariable(LivePlan.FINDS_GRANTED, granted && arrived);
                    exchange.setVariable(IntakeReceipt.ADMISSION, admitted.admission());
                    exchange.setVariable("enlisted", admitted.enlisted());
                    exchange.getMessage().setBody(validated.getReference());
                });

        step("supersede-dead-letters", "The platform sent the recorded donor again: its open dead letters are closed as superseded")
                .process(exchange -> {
                    Admission admission = exchange.getVariable(IntakeReceipt.ADMISSION, Admission.class);
                    if (admission != null) {
                        deadLetters.supersede(exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class).getReference(), admission,
                                exchange.getVariable("origin", String.class), exchange.getVariable("recordedAt", OffsetDateTime.class));
                    }
                });

        step("intake-answer", "POST /donors's answer: 202 with the accepted reference pairs, 400 when none was accepted, every reject's reasons")
                .process(exchange -> exchange.getMessage().setBody(receipt.respond(exchange.getMessage().getBody(IntakeReport.class), exchange)))
                .marshal().json()
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"));

        step("refusal-answer", "A request's donors refused as a whole (POST /donors, POST /sync/preview): its status (400, 413, 415; a preview's 503) and the problem as JSON; nothing was stored")
                .process(exchange -> {
                    IntakeRefusedException refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeRefusedException.class);
                    LOG.info("{} refused ({}): {}", exchange.getVariable("origin", String.class), refusal.getStatus(), refusal.getMessage());
                    exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, refusal.getStatus());
                    // the operator API's problem body, {"message": ...}
                    exchange.getMessage().setBody(Map.of("message", refusal.getMessage()));
                })
                .to(direct("json-answer"));

        step("refuse-file", "A dropped file refused as a whole: the movedTo variable becomes .failed/<stamp>-<name>, the reason written beside it")
                .process(this::refuseFile);
    }

    private void refuseFile(Exchange exchange) throws IOException {
        IntakeRefusedException refusal = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeRefusedException.class);
        String name = exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        String movedTo = ".failed/" + LocalDateTime.now().format(FILED) + "-" + name;
        Path reason = Path.of(exchange.getMessage().getHeader(Exchange.FILE_PARENT, String.class)).resolve(movedTo + ".reason");
        Files.createDirectories(reason.getParent());
        Files.writeString(reason, refusal.getMessage() + System.lineSeparator());
        exchange.setVariable("movedTo", movedTo);
        LOG.warn("{} refused, nothing of it stored, moved to {}: {}", name, movedTo, refusal.getMessage());
    }
}
