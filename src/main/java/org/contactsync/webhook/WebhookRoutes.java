package org.contactsync.webhook;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.metrics.SyncMetrics;
import org.contactsync.poll.PendingQuery;
import org.contactsync.poll.QueryScan;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.resolution.ResolutionRepository;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * The machinery of {@code routes/webhook-receiver.camel.yaml}: a delivery's checks and its answer, the events stored for
 * a Contact read and their reader, the confirmations of an event's reference pairs, and the webhook subscription kept
 * pointing here. The delivery's event is the {@code event} variable; {@code contactRead} says its Contact has to be read.
 */
public final class WebhookRoutes extends BundleRouteBuilder {

    private final WebhookReceiver receiver;
    private final WebhookEvents events;
    private final WebhookInbox inbox;
    private final WebhookSubscriber subscriber;
    private final PendingQuery query;
    private final ResolutionRepository resolutions;
    private final RateGovernor governor;
    private final VirtuousRequests requests;
    private final SyncMetrics metrics;
    private final int readBatchSize;

    /** {@code readBatchSize}: sync.webhook.read-batch-size, the stored events one reader run reads at most. */
    public WebhookRoutes(WebhookReceiver receiver, WebhookEvents events, WebhookInbox inbox, WebhookSubscriber subscriber, PendingQuery query,
            ResolutionRepository resolutions, RateGovernor governor, VirtuousRequests requests, SyncMetrics metrics, int readBatchSize) {
        this.receiver = receiver;
        this.events = events;
        this.inbox = inbox;
        this.subscriber = subscriber;
        this.query = query;
        this.resolutions = resolutions;
        this.governor = governor;
        this.requests = requests;
        this.metrics = metrics;
        this.readBatchSize = readBatchSize;
    }

    @Override
    public void configure() {
        step("verify-webhook", "Refuses what is too large (413), unsigned or wrongly signed (401) or not a Contact event (400); else the event variable, and a merge it reports re-points the ledger")
                .process(exchange -> {
                    ContactEvent event = receiver.verify(exchange);
                    if (event != null) {
                        receiver.followMerge(event);
                    }
                    exchange.setVariable("event", event);
                    // a pair of ours on another Contact than the ledger's: stored, for a read in the poll lane, not here
                    exchange.setVariable("mergeCheck", event != null && !receiver.possibleMerges(event).isEmpty());
                    exchange.setVariable("contactRead", event != null && (receiver.needsContact(event)
                            || exchange.getVariable("mergeCheck", Boolean.class)));
                });

        step("hold-event", "Stores the event whose Contact has to be read from Virtuous, for the reader; answered at once")
                .process(exchange -> inbox.hold(event(exchange), exchange.getVariable("mergeCheck", false, Boolean.class)));

        step("webhook-confirmations", "The body: one confirmation per reference pair of ours the event's Contact carries, for the resolution aggregator")
                .process(exchange -> {
                    List<Map<String, Object>> confirmations = receiver.confirmations(event(exchange));
                    exchange.setVariable("confirmations", confirmations);
                    exchange.getMessage().setBody(confirmations);
                });

        step("webhook-recorded", "Fails the delivery (500: Virtuous delivers it again) when a confirmation the aggregator took is neither "
                + "recorded nor held, its resolution having failed: a 2xx only for what is on disk")
                .process(exchange -> {
                    List<Map<String, Object>> confirmations = exchange.getVariable("confirmations", List.class);
                    if (confirmations.stream().anyMatch(resolutions::dropped)) {
                        throw new IllegalStateException("a resolution this delivery brought was not recorded");
                    }
                });

        step("webhook-answer", "The delivery's answer: 200 with what was done, or the refusal; nothing of the request goes back")
                .process(this::answer);

        from("timer:" + PREFIX + "-webhook-contact-read?period={{sync.webhook.read-period-ms}}").routeId(id("webhook-contact-read"))
                .description("Reads the Contacts of stored events (GET /api/Contact/{id}, the survivor's after a merge, in the poll lane; one Contact Query for sync.poll.query-min or more), confirms the reference pairs of ours they carry and checks those SYNCED to another Contact; not while the API budget is held")
                .routeConfigurationId(id("background-errors"))
                .filter(exchange -> governor.heldUntil() == null)
                    .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                    .process(exchange -> exchange.setVariable("events", inbox.claim(readBatchSize)))
                    // many events at once (a nightly import): one Contact Query can settle the PENDING donors for all of them
                    .process(exchange -> exchange.setVariable("scan", query.planForEvents(exchange.getVariable("events", List.class).size())))
                    .filter(variable("scan").isNotNull())
                        .to(direct("run-query"))
                    .end()
                    .split(variable("events"))
                        .setVariable("event", body())
                        // the donor it could have been for may have been resolved meanwhile (the Query, another event, the poll)
                        .filter(exchange -> receiver.needsRead(event(exchange), exchange.getVariable("scan", QueryScan.class),
                                inbox.isMergeCheck(event(exchange))))
                            // after a merge the merged Contact answers 404: the survivor holds the pairs now
                            .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, requests.contactById(event(exchange).survivingContactId())))
                            .toV(direct("virtuous-call"), null, "contact")
                            .process(exchange -> exchange.setVariable("event", events.withReferencesOf(event(exchange), exchange.getVariable("contact"))))
                            .to(direct("webhook-confirmations"))
                            .split(body())
                                .to(direct("contact-resolution"))
                            .end()
                            .process(exchange -> exchange.setVariable("possibleMerges", receiver.possibleMerges(event(exchange))))
                            .split(variable("possibleMerges"))
                                .to(direct("check-merge"))
                            .end()
                        .end()
                        .process(exchange -> inbox.done(event(exchange)))
                    .end();

        from("timer:" + PREFIX + "-webhook-subscription?delay=1000&period={{sync.webhook.check-period-ms}}").routeId(id("webhook-subscription"))
                .description("Keeps Virtuous delivering contactCreate/contactUpdate here (sync.webhook.public-url): at start, then every sync.webhook.check-period-ms")
                .routeConfigurationId(id("background-errors"))
                .filter(exchange -> subscriber.isWanted())
                    .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                    .removeVariable("subscription")
                    .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, subscriber.readRequest()))
                    .filter(variable(VirtuousClient.REQUEST).isNotNull())
                        .toV(direct("virtuous-call"), null, "subscription")
                    .end()
                    .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, subscriber.reconcile(subscription(exchange))))
                    .filter(variable(VirtuousClient.REQUEST).isNotNull())
                        .to(direct("virtuous-call"))
                        .process(exchange -> subscriber.record(exchange.getMessage().getBody(Map.class)));
    }

    private void answer(Exchange exchange) {
        Integer refused = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        if (exchange.getVariable("event") != null) {
            refused = 200;
            body = exchange.getVariable("contactRead", false, Boolean.class) ? "{\"accepted\":true,\"contactRead\":\"queued\"}"
                    : "{\"accepted\":true,\"donors\":" + exchange.getVariable("confirmations", List.class).size() + "}";
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, refused);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body);
        metrics.webhookDelivery(refused);
    }

    private static ContactEvent event(Exchange exchange) {
        return exchange.getVariable("event", ContactEvent.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> subscription(Exchange exchange) {
        return exchange.getVariable("subscription", Map.class);
    }
}
