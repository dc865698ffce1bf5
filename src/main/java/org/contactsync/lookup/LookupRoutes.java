package org.contactsync.lookup;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.component.seda.SedaEndpoint;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.ledger.Claims;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.update.ContactUpdates;
import org.contactsync.virtuous.ApiAccessGate;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/contact-sync.camel.yaml}: claiming a queued donor, the two Finds of the lookup, linking
 * a donor to the Contact they found, the hand-off to the live queue, and its redrive of RECEIVED donors nobody holds. Each reads and writes the exchange's variables:
 * {@code entry} (the donor's ledger row), {@code contact} (what a Find answered, null for none), {@code resolvedBy}.
 */
public final class LookupRoutes extends BundleRouteBuilder {

    /** The queue the contact-sync route consumes: a RECEIVED donor's reference pair. */
    public static final String QUEUE = "seda:" + PREFIX + "-contact-sync";
    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.lookup");

    private final ClaimHeartbeat heartbeat;
    private final RateGovernor governor;
    private final VirtuousRequests requests;
    private final SyncLedger ledger;
    private final ContactUpdates updates;
    private final boolean emailMatchSubmits;
    private final Claims claims;
    private final ApiAccessGate gate;
    private final int redriveBatch;

    /**
     * {@code emailMatch}: sync.email-match, associate (link to a Contact found by email) or submit (a different donor);
     * {@code redriveBatch}: sync.redrive.batch-size, the donors one redrive run queues at most.
     */
    public LookupRoutes(ClaimHeartbeat heartbeat, RateGovernor governor, VirtuousRequests requests, SyncLedger ledger,
            ContactUpdates updates, String emailMatch, Claims claims, ApiAccessGate gate, int redriveBatch) {
        this.claims = claims;
        this.gate = gate;
        this.redriveBatch = redriveBatch;
        this.heartbeat = heartbeat;
        this.governor = governor;
        this.requests = requests;
        this.ledger = ledger;
        this.updates = updates;
        this.emailMatchSubmits = switch (emailMatch) {
            case "associate" -> false;
            case "submit" -> true;
            default -> throw new IllegalArgumentException("sync.email-match: '" + emailMatch + "' is neither associate nor submit");
        };
    }

    @Override
    public void configure() {
        step("claim", "Claims the queued donor (a reference pair) for this exchange: its row in the entry variable, none when held elsewhere")
                .process(heartbeat::claim)
                .filter(variable("entry").isNotNull())
                    // while the API budget is short, polls and bulk loads leave this donor the calls it still needs
                    .process(governor::liveDonorStarted);

        step("find-by-reference", "GET /api/Contact/Find by the donor's reference pair; the Contact in the contact variable, null for 404")
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.findByReference(entry(exchange).referenceSource(),
                        entry(exchange).referenceId())))
                .toV(direct("virtuous-call"), null, "contact")
                .setVariable("resolvedBy", constant("found-by-reference"));

        step("find-by-email", "GET /api/Contact/Find by the donor's email; with sync.email-match=submit a Contact found this way is not taken for the donor")
                .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.findByEmail(entry(exchange).getEmail())))
                .toV(direct("virtuous-call"), null, "contact")
                .setVariable("resolvedBy", constant("found-by-email"))
                .process(this::applyEmailMatch);

        step("link-contact", "The lookup found the donor's Contact: SYNCED; what only an update can apply goes out as one")
                .process(this::link)
                .filter(body().isNotNull())
                    .to(direct("sync-queue"));

        step("sync-queue", "Hands a RECEIVED donor to the contact-sync consumers; when the queue is full it stays RECEIVED in the ledger for the redrive")
                .to(ExchangePattern.InOnly, QUEUE + "?discardWhenFull=true");

        from("timer:" + PREFIX + "-received-redrive?period={{sync.redrive.period-ms}}").routeId(id("received-redrive"))
                .description("Re-queues RECEIVED donors nobody holds (left by a crash, or queued in memory when the bundle stopped)")
                // only while this node's queue is empty (a donor still in it is not lost, and queueing it again would pile up
                // copies while the donors ahead of it wait for budget), and while Virtuous can be called at all
                .filter(exchange -> queueIsEmpty(exchange) && gate.isUsable())
                    .process(exchange -> exchange.getMessage().setBody(claims.unclaimedReceived(redriveBatch)))
                    .split(body())
                        .to(direct("sync-queue"));
    }

    private static boolean queueIsEmpty(Exchange exchange) {
        SedaEndpoint queue = exchange.getContext().getEndpoint(exchange.getContext().resolvePropertyPlaceholders(QUEUE), SedaEndpoint.class);
        return exchange.getContext().getStatus().isStarted() && queue.getCurrentQueueSize() == 0;
    }

    private void applyEmailMatch(Exchange exchange) {
        Map<?, ?> contact = exchange.getVariable("contact", Map.class);
        if (contact != null && emailMatchSubmits) {
            LOG.info("{} shares its email with Contact {}; sync.email-match=submit, so it is submitted as a different donor",
                    entry(exchange).getReference(), contact.get("id"));
            exchange.removeVariable("contact");
        }
    }

    /** SYNCED with the Contact found; the body is the donor's reference pair when it has changes only an update applies. */
    private void link(Exchange exchange) {
        LedgerEntry entry = entry(exchange);
        Map<?, ?> contact = exchange.getVariable("contact", Map.class);
        String resolvedBy = exchange.getVariable("resolvedBy", String.class);
        ledger.markSynced(entry.getReference(), ((Number) contact.get("id")).longValue(), resolvedBy, updates.baseline(entry.donor(), resolvedBy));
        exchange.getMessage().setBody(ledger.reopenIfChanged(entry.getReference()) ? entry.getReference() : null);
    }

    static LedgerEntry entry(Exchange exchange) {
        return exchange.getVariable("entry", LedgerEntry.class);
    }
}
