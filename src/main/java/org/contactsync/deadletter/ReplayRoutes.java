package org.contactsync.deadletter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.intake.DonorInput;
import org.contactsync.intake.DonorValidator;
import org.contactsync.intake.IntakeReceipt;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.Admission;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.ReplayTokens;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of the replay with a preview in {@code routes/dead-letter.camel.yaml}: choosing the letters, planning
 * each one's replay, reading what Virtuous holds now, the diff and the token; then, on confirmation, the token claimed
 * once, each letter replayed only while it is as its preview saw it, and closed once intake took its donor. The letter
 * in hand is the {@code replayPlan} variable (preview) or the {@code replayLetter} variable (apply).
 */
public final class ReplayRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.dead-letter");

    private final ReplayPreviews previews;
    private final ReplayTokens tokens;
    private final DeadLetterStore store;
    private final DonorValidator validator;
    private final VirtuousRequests requests;
    private final LetterDonors donors = new LetterDonors();

    public ReplayRoutes(ReplayPreviews previews, ReplayTokens tokens, DeadLetterStore store, DonorValidator validator, VirtuousRequests requests) {
        this.previews = previews;
        this.tokens = tokens;
        this.store = store;
        this.validator = validator;
        this.requests = requests;
    }

    @Override
    public void configure() {
        step("replay-select", "The open letters a preview names ({\"ids\": [..]} or {\"reason\": \"..\"}): their ids as the body")
                .process(exchange -> {
                    ReplayPreviews.Selection selection = previews.select(exchange.getMessage().getBody(String.class));
                    exchange.setVariable("replayMore", selection.more());
                    exchange.getMessage().setBody(selection.ids());
                });

        step("replay-plan", "One letter (its id the body): its donor as intake would take it again, in the replayPlan variable, and the entry the Finds read")
                .process(exchange -> {
                    ReplayPreviews.ReplayPlan plan = previews.plan(exchange.getMessage().getBody(Long.class));
                    exchange.setVariable("replayPlan", plan);
                    exchange.setVariable("entry", plan.entry());
                    // a preview's reads wait behind live donors, and leave them the budget kept for them
                    exchange.setVariable(VirtuousCallRoute.LANE, "poll");
                });

        step("replay-read-contact", "GET the Contact the ledger knows; merged (404, or mergedIntoContactId): Find by reference, the Contact holding the pair now")
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.contactById(plan(exchange).getContactId())))
                .toV(direct("virtuous-call"), null, "contact")
                .filter(exchange -> merged(exchange.getVariable("contact", Map.class)))
                    .process(exchange -> exchange.setVariable("relocatedFrom", plan(exchange).getContactId()))
                    .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.findByReference(
                            plan(exchange).reference().referenceSource(), plan(exchange).reference().referenceId())))
                    .toV(direct("virtuous-call"), null, "contact");

        step("replay-diff", "The letter's diff, field by field, against what Virtuous answered (the contact variable): the body")
                .process(exchange -> exchange.getMessage().setBody(previews.diff(plan(exchange), contact(exchange),
                        exchange.getVariable("resolvedBy", String.class), exchange.getVariable("relocatedFrom", Long.class))));

        step("replay-unread", "Virtuous could not be read for the letter: said so, and left out of the token")
                .process(exchange -> exchange.getMessage().setBody(previews.unread(plan(exchange),
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))));

        step("replay-preview-answer", "The preview's answer: every letter's diff and the token naming the letters a confirmation replays")
                .process(exchange -> exchange.getMessage().setBody(previews.answer(letters(exchange), exchange.getVariable("replayMore", Boolean.class))))
                .to(direct("json-answer"));

        step("replay-claim", "Claims the token (the replayToken variable) for this apply, once: its letters and their versions as the body")
                .process(exchange -> {
                    List<Map.Entry<Long, String>> letters = new ArrayList<>(tokens.claim(exchange.getVariable("replayToken", String.class)).entrySet());
                    exchange.getMessage().setBody(letters);
                });

        step("replay-check-letter", "One letter of the token: its donor the body when it is still open and as previewed (replayReady); else why not")
                .process(this::checkLetter);

        step("replay-letter-done", "The letter's donor went through intake: the letter closes, and the answer says what the ledger made of it")
                .process(exchange -> {
                    long letterId = exchange.getVariable("replayLetter", Long.class);
                    ValidatedDonor validated = exchange.getVariable(IntakeReceipt.VALIDATED, ValidatedDonor.class);
                    boolean closed = store.closeReplayed(letterId, exchange.getVariable("replayToken", String.class));
                    Map<String, Object> done = outcome(letterId, closed);
                    if (closed) {
                        done.put("referenceSource", validated.getReference().referenceSource());
                        done.put("referenceId", validated.getReference().referenceId());
                        done.put("admission", exchange.getVariable(IntakeReceipt.ADMISSION, Admission.class).name());
                    } else {
                        // the ledger took the donor once: this second intake of the same data was UNCHANGED
                        done.put("reason", "replayed by another apply at the same time");
                    }
                    exchange.getMessage().setBody(done);
                });

        step("replay-letter-failed", "Intake could not take the letter's donor (the database away, say): the letter stays open")
                .process(exchange -> {
                    Map<String, Object> failed = outcome(exchange.getVariable("replayLetter", Long.class), false);
                    failed.put("reason", "intake could not take it (" + exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()
                            + "); the letter stays open");
                    exchange.getMessage().setBody(failed);
                });

        step("replay-apply-answer", "The apply's answer: 202 with the letters replayed and those not (and why); 409 when none could be")
                .process(this::applied)
                .to(direct("json-answer"));
    }

    private void checkLetter(Exchange exchange) throws Exception {
        @SuppressWarnings("unchecked")
        Map.Entry<Long, String> letter = exchange.getMessage().getBody(Map.Entry.class);
        long letterId = letter.getKey();
        exchange.setVariable("replayLetter", letterId);
        String refused;
        DonorInput input = null;
        try {
            DeadLetterStore.Letter open = store.openLetter(letterId);
            refused = store.changedSince(letterId, open, letter.getValue());
            input = donors.input(letterId, open, null);
            validator.requireValid(input);
        } catch (IllegalArgumentException | IllegalStateException | NoSuchElementException e) {
            refused = e.getMessage();
        }
        exchange.setVariable("replayReady", refused == null);
        if (refused == null) {
            exchange.getMessage().setBody(input);
            return;
        }
        Map<String, Object> skipped = outcome(letterId, false);
        skipped.put("reason", refused);
        exchange.getMessage().setBody(skipped);
    }

    private void applied(Exchange exchange) {
        String token = exchange.getVariable("replayToken", String.class);
        List<Map<String, Object>> replayed = new ArrayList<>();
        List<Map<String, Object>> notReplayed = new ArrayList<>();
        for (Map<String, Object> letter : letters(exchange)) {
            (Boolean.TRUE.equals(letter.remove("replayed")) ? replayed : notReplayed).add(letter);
        }
        String outcome = replayed.size() + " replayed, " + notReplayed.size() + " not";
        tokens.recordOutcome(token, outcome);
        LOG.info("replay {} applied: {}", token, outcome);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", token);
        answer.put("replayed", replayed);
        answer.put("notReplayed", notReplayed);
        if (replayed.isEmpty()) {
            answer.put("message", "nothing was replayed: every letter of the preview changed since, or was replayed already");
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, replayed.isEmpty() ? 409 : 202);
        exchange.getMessage().setBody(answer);
    }

    private static Map<String, Object> outcome(long letterId, boolean replayed) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("id", letterId);
        outcome.put("replayed", replayed);
        return outcome;
    }

    /** A Contact Virtuous no longer answers for (404), or answers for as merged into another. */
    private static boolean merged(Map<?, ?> contact) {
        return contact == null || contact.get("mergedIntoContactId") != null;
    }

    private static ReplayPreviews.ReplayPlan plan(Exchange exchange) {
        return exchange.getVariable("replayPlan", ReplayPreviews.ReplayPlan.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> contact(Exchange exchange) {
        return exchange.getVariable("contact", Map.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> letters(Exchange exchange) {
        return exchange.getMessage().getBody(List.class);
    }
}
