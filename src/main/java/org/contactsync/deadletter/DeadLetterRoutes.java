package org.contactsync.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.intake.DonorInput;
import org.contactsync.intake.DonorValidator;
import org.contactsync.intake.IntakeReceipt;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.metrics.SyncMetrics;
import org.contactsync.virtuous.VirtuousApiException;
import org.contactsync.virtuous.VirtuousCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/dead-letter.camel.yaml}: storing a failed or rejected donor with its reason (and FAILED
 * in the ledger, in one transaction), and the operator's list, replay and discard.
 */
public final class DeadLetterRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.dead-letter");
    private final ObjectMapper json = new ObjectMapper();
    private final LetterDonors donors = new LetterDonors();

    private final DeadLetterStore store;
    private final DonorValidator validator;
    private final SyncMetrics metrics;

    public DeadLetterRoutes(DeadLetterStore store, DonorValidator validator, SyncMetrics metrics) {
        this.store = store;
        this.validator = validator;
        this.metrics = metrics;
    }

    @Override
    public void configure() {
        step("store-dead-letter", "Stores the donor in hand (a rejected one as the body, or the entry variable with the failure) with its reason; FAILED in the ledger")
                .process(this::store)
                .process(exchange -> metrics.deadLettered());

        step("dead-letter-open", "The open dead letters, newest first (the limit header: 100 when none), as JSON")
                .process(exchange -> exchange.getMessage().setBody(store.open(exchange.getMessage().getHeader("limit", Integer.class))))
                .to(direct("json-answer"));

        step("replay-input", "The letter's donor (the letterId variable), or the operator's correction in the body, under its original reference pair; 400 when it would be refused again")
                .process(exchange -> {
                    long letterId = exchange.getVariable("letterId", Long.class);
                    DonorInput input = donors.input(letterId, store.openLetter(letterId), exchange.getMessage().getBody(String.class));
                    validator.requireValid(input);
                    exchange.getMessage().setBody(input);
                });

        step("replayed", "Closes the replayed letter; the answer says what intake made of its donor")
                .process(exchange -> exchange.getMessage().setBody(store.markReplayed(exchange.getVariable("letterId", Long.class),
                        exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class).getReference(),
                        exchange.getVariable(IntakeReceipt.ADMISSION, Admission.class))))
                .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(202))
                .to(direct("json-answer"));

        step("discard", "Closes the letter (the letterId variable) for good, with the reason header kept with it and in the ledger")
                .process(exchange -> exchange.getMessage().setBody(store.discard(exchange.getVariable("letterId", Long.class),
                        exchange.getMessage().getHeader("reason", String.class))))
                .to(direct("json-answer"));

        step("operator-problem", "The JSON body of an operator API's 4xx answer")
                .process(exchange -> exchange.getMessage().setBody(ApiProblem.of(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))))
                .to(direct("json-answer"));

        step("json-answer", "The body as JSON, with nothing of the request's headers but the answer's status")
                .removeHeaders("*", Exchange.HTTP_RESPONSE_CODE)
                .marshal().json()
                .setHeader(Exchange.CONTENT_TYPE, constant("application/json"));
    }

    /**
     * Whatever the failing stage had in hand: a rejected donor as the body, or the ledger entry in the {@code entry}
     * variable with the exception caught (or, for a deadline, a {@code reason} variable).
     */
    private void store(Exchange exchange) throws JsonProcessingException {
        if (exchange.getMessage().getBody() instanceof ValidatedDonor rejected) {
            DonorInput input = rejected.getInput();
            store.storeRejected(rejected.getReference(), rejected.getReason(), input.rawText(),
                    input.fields() == null ? null : json.writeValueAsString(input.fields()));
            LOG.warn("{} rejected at intake ({}): {}", rejected.getReference() == null ? "donor without referenceId" : rejected.getReference(),
                    input.origin(), rejected.getReason());
            return;
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        VirtuousApiException api = failure instanceof VirtuousApiException answered ? answered : null;
        // the Virtuous operation that failed (find-by-reference, transaction-submit, ...), else the route that gave up
        String stage = api != null ? api.getOperation() : exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        String reason = failure == null ? exchange.getVariable("reason", "unknown", String.class)
                : api != null ? api.getMessage() : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        store.storeFailed(exchange.getVariable("entry", LedgerEntry.class), stage, reason, api == null ? null : api.getStatus(),
                api == null ? null : api.getVirtuousMessage(), 1 + exchange.getVariable(VirtuousCall.REDELIVERIES, 0, Integer.class));
    }
}
