package org.contactsync.submit;

import java.util.List;
import java.util.concurrent.CancellationException;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.virtuous.RequestWithdrawnException;
import org.contactsync.virtuous.UnansweredRequestException;
import org.contactsync.virtuous.VirtuousApiException;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two submits ({@link Submissions}): a Contact Transaction for the donor in the {@code entry} variable, a Contact
 * Batch for the bulk chunk in the {@code chunk} variable. Each answers, as its body, the aggregator's submissions of the
 * donors Virtuous accepted. The Batch also says, in the {@code chunkOutcome} variable, what became of the chunk:
 * accepted, refused (its donors, back to RECEIVED, are the body: each is sent alone), failed (retries ran out: the donors
 * it marked are the body, for the dead letter, with the failure caught), unanswered (its donors stay PENDING) or unsent
 * (the bundle is stopping).
 */
public final class SubmitRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.bulk");

    private final Submissions submissions;

    public SubmitRoutes(Submissions submissions) {
        this.submissions = submissions;
    }

    @Override
    public void configure() {
        step("post-transaction", "POST /api/Contact/Transaction, the donor marked sent right before it leaves; the body: its submission when accepted")
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, submissions.transaction(exchange.getVariable("entry", LedgerEntry.class),
                        exchange.getVariable(ClaimHeartbeat.CLAIMED_FOR, String.class))))
                .to(direct("virtuous-call"))
                .process(exchange -> exchange.getMessage().setBody(submissions.accepted(request(exchange))));

        step("post-batch", "POST /api/Contact/Batch with one chunk (in the lane its worker set), its donors marked sent right before it leaves; the outcome in chunkOutcome")
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, submissions.batch(exchange.getVariable("chunk", BulkChunk.class),
                        exchange.getVariable(ClaimHeartbeat.CLAIMED_FOR, String.class))))
                .doTry()
                    .to(direct("virtuous-call"))
                    .process(exchange -> outcome(exchange, "accepted", submissions.accepted(request(exchange))))
                .doCatch(UnansweredRequestException.class)
                    .process(this::unanswered)
                .doCatch(CancellationException.class, RequestWithdrawnException.class)
                    .process(exchange -> outcome(exchange, "unsent", List.of()))
                .doCatch(Exception.class)
                    .process(this::failed)
                .end();
    }

    private void unanswered(Exchange exchange) {
        UnansweredRequestException failure = caught(exchange, UnansweredRequestException.class);
        LOG.warn("{}; its donors stay PENDING and are not sent again unless Virtuous has nothing for them at the pending deadline",
                failure.getMessage());
        submissions.unanswered(request(exchange), failure);
        outcome(exchange, "unanswered", List.of());
    }

    /** Virtuous refused the chunk as a whole (a 4xx: it took none of it), or the chunk's tries ran out. */
    private void failed(Exchange exchange) {
        if (!(caught(exchange, Exception.class) instanceof VirtuousApiException refusal) || refusal.isRetryable()) {
            outcome(exchange, "failed", submissions.marked(request(exchange)));
            return;
        }
        List<LedgerEntry> alone = submissions.refused(request(exchange), refusal.getMessage());
        LOG.warn("bulk load {}: Virtuous refused a chunk of {} ({}); each is sent alone", exchange.getVariable("chunk", BulkChunk.class).loadId(),
                alone.size(), refusal.getMessage());
        outcome(exchange, "refused", alone);
    }

    private static void outcome(Exchange exchange, String outcome, List<?> body) {
        exchange.setVariable("chunkOutcome", outcome);
        exchange.getMessage().setBody(body);
    }

    private static VirtuousRequest request(Exchange exchange) {
        return exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class);
    }

    private static <T extends Exception> T caught(Exchange exchange, Class<T> type) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, type);
    }
}
