package org.contactsync.poll;

import java.util.Date;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ScheduleRuns;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.metrics.SyncMetrics;
import org.contactsync.resolution.MergeCheck;
import org.contactsync.resolution.ResolutionJoin;
import org.contactsync.virtuous.VirtuousCall;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/pending-poll.camel.yaml}: one node per fire time, the Contact Query's pages (for the poll,
 * and for a run of stored webhook events) with their fall-back to GETs, the GET by reference, and the deadline.
 */
public final class PollRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.poll");

    private final ScheduleRuns scheduleRuns;
    private final PendingQuery query;
    private final PendingPolicy policy;
    private final VirtuousRequests requests;
    private final SyncLedger ledger;
    private final SyncMetrics metrics;
    private final MergeCheck merges;
    private final String deadline;

    /** {@code deadline}: sync.pending.deadline as written, for the dead letter's reason. */
    public PollRoutes(ScheduleRuns scheduleRuns, PendingQuery query, PendingPolicy policy, VirtuousRequests requests, SyncLedger ledger,
            SyncMetrics metrics, MergeCheck merges, String deadline) {
        this.scheduleRuns = scheduleRuns;
        this.query = query;
        this.policy = policy;
        this.requests = requests;
        this.ledger = ledger;
        this.metrics = metrics;
        this.merges = merges;
        this.deadline = deadline;
    }

    @Override
    public void configure() {
        step("claim-poll-run", "Whether this node runs the poll for Quartz's fire time (the pollRun variable): one node per fire time")
                .process(exchange -> exchange.setVariable("pollRun", scheduleRuns.claim("pending-poll",
                        exchange.getMessage().getHeader("scheduledFireTime", Date.class))));

        step("query-pending", "The PENDING donors due: with sync.poll.query-min or more, a Contact Query settles what it can first; the body: those still to GET")
                .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                .process(exchange -> exchange.setVariable("scan", query.plan()))
                .choice()
                    .when(variable("scan").isNotNull())
                        .to(direct("run-query"))
                        .process(exchange -> exchange.getMessage().setBody(query.needingGets(scan(exchange))))
                    .otherwise()
                        .process(exchange -> exchange.getMessage().setBody(policy.claimDue()))
                .end()
                .log(LoggingLevel.INFO, LOG, "polling ${body.size()} pending donor(s) by reference");

        step("run-query", "POST /api/Contact/Query/FullContact for the scan in the scan variable, page by page while that costs less than GETs; each donor a page names is confirmed, each SYNCED to another Contact checked for a merge")
                .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                // a page that fails is not asked again: the GETs by reference cost no more than the retry would
                .setVariable(VirtuousCall.NO_RETRIES, constant(true))
                .doTry()
                    .loopDoWhile(exchange -> scan(exchange).hasNextPage())
                        .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST,
                                requests.modifiedSince(scan(exchange).getSince(), scan(exchange).getSkip())))
                        .to(direct("virtuous-call"))
                        .process(exchange -> exchange.getMessage().setBody(query.read(scan(exchange), exchange.getMessage().getBody())))
                        .split(body())
                            .to(direct("contact-resolution"))
                        .end()
                    .end()
                .endDoTry()
                // whatever stops the Query (Virtuous down, a query condition this organisation names otherwise), the GETs still run
                .doCatch(Exception.class)
                    .process(exchange -> query.failed(scan(exchange), exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                .end()
                .removeVariable(VirtuousCall.NO_RETRIES)
                .process(this::reportScan)
                .process(exchange -> exchange.setVariable("possibleMerges", merges.suspects(scan(exchange).getShown(), "poll-query")))
                .split(variable("possibleMerges"))
                    .to(direct("check-merge"))
                .end();

        step("get-by-reference", "GET /api/Contact/{referenceSource}/{referenceId} for the PENDING donor in the entry variable: its Contact in the contact variable, null for 404")
                .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.contactByReference(entry(exchange).referenceSource(),
                        entry(exchange).referenceId())))
                .toV(direct("virtuous-call"), null, "contact")
                .process(this::confirmation);

        step("check-deadline", "A donor Virtuous has no Contact for: still waiting, past the deadline of a submit Virtuous took (stuck, with the reason), or of one it never answered (unanswered)")
                .process(this::checkDeadline);

        step("resubmit", "Past the deadline of a submit Virtuous never answered, and it has nothing for the donor: looked up and submitted again")
                .filter(exchange -> ledger.resubmit(entry(exchange).getReference(), entry(exchange).submittedAt(), "Virtuous has no Contact for it " + deadline
                        + " after a submit it never answered: submitted again"))
                    .process(exchange -> exchange.getMessage().setBody(entry(exchange).getReference()))
                    .to(direct("sync-queue"));
    }

    /** The aggregator's confirmation of a Contact found, as the body; the body is null when none was. */
    @SuppressWarnings("unchecked")
    private void confirmation(Exchange exchange) {
        Map<String, Object> contact = exchange.getVariable("contact", Map.class);
        exchange.getMessage().setBody(contact == null ? null
                : ResolutionJoin.confirmation(entry(exchange).getReference(), ((Number) contact.get("id")).longValue(), "poll", null));
    }

    private void checkDeadline(Exchange exchange) {
        LedgerEntry entry = entry(exchange);
        if (!policy.isPastDeadline(entry)) {
            exchange.setVariable("deadline", "waiting");
        } else if (entry.isSubmitAccepted()) {
            exchange.setVariable("deadline", "stuck");
            exchange.setVariable("reason", "not resolved by Virtuous within " + deadline + " of its submit: check the Contact import "
                    + "(Match Needed / Update Needed), which may be waiting for someone to run it");
        } else {
            exchange.setVariable("deadline", "unanswered");
        }
    }

    /** One line per run, and the fall-back counted once when the Query could not answer. */
    private void reportScan(Exchange exchange) {
        QueryScan scan = scan(exchange);
        if (scan.isFailed()) {
            LOG.warn("Contact Query could not answer ({}); the donors it did not settle are polled by reference, and the next run tries "
                    + "the Query again", scan.getFailure());
            metrics.queryFallback();
        }
        LOG.info("{}", scan);
    }

    private static QueryScan scan(Exchange exchange) {
        return exchange.getVariable("scan", QueryScan.class);
    }

    private static LedgerEntry entry(Exchange exchange) {
        return exchange.getVariable("entry", LedgerEntry.class);
    }
}
