package org.contactsync.preview;

import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.intake.RequestReader;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/donor-preview.camel.yaml}: reading a preview's body as intake reads donors, asking
 * Virtuous what it holds for them (Query pages, or Finds where those cost less or the Query fails; in the governor's
 * poll lane), and the report with its downloads. The preview in progress is the {@code preview} variable.
 */
public final class PreviewRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.preview");

    private final RequestReader requests;
    private final Previews previews;
    private final VirtuousRequests virtuous;

    public PreviewRoutes(RequestReader requests, Previews previews, VirtuousRequests virtuous) {
        this.requests = requests;
        this.previews = previews;
        this.virtuous = virtuous;
    }

    @Override
    public void configure() {
        step("preview-read", "A preview's body as intake reads donors (JSON as POST /donors takes it, or CSV with a header row): the preview variable; refused as a whole (400, 413, 415) otherwise")
                .process(exchange -> exchange.setVariable("preview", previews.start(requests.readPreview(exchange.getMessage().getBody(byte[].class),
                        exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class), exchange.getVariable("origin", String.class)),
                        exchange.getVariable("origin", String.class))));

        step("preview-lookup", "What Virtuous holds for the donors intake would look up: Query pages of every Contact while they cost no more than a Find each, else Finds as the lookup makes them")
                .setVariable(VirtuousCallRoute.LANE, constant(Previews.LANE))
                .doTry()
                    .loopDoWhile(exchange -> preview(exchange).hasNextPage())
                        .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, preview(exchange).nextPage(virtuous)))
                        .to(direct("virtuous-call"))
                        .process(exchange -> preview(exchange).read(exchange.getMessage().getBody()))
                    .end()
                .endDoTry()
                .doCatch(Exception.class)
                    .process(exchange -> preview(exchange).queryFailed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                .end()
                .filter(exchange -> preview(exchange).needsFinds())
                    .process(exchange -> previews.requireBudgetForFinds(preview(exchange)))
                    .process(exchange -> preview(exchange).planFinds(virtuous))
                    .loopDoWhile(exchange -> preview(exchange).hasNextFind())
                        .process(exchange -> exchange.setVariable(VirtuousClient.REQUEST, preview(exchange).nextFind()))
                        .to(direct("virtuous-call"))
                        .process(exchange -> preview(exchange).found(exchange.getMessage().getBody(), virtuous))
                    .end()
                .end();

        step("preview-report", "The preview's report as JSON (kept for its downloads): each donor's outcome, the totals, what the preview and the load cost")
                .process(exchange -> answer(exchange, previews.finish(preview(exchange)), "application/json"));

        step("preview-failed", "Virtuous could not be asked (down, the key refused, the budget held past the bundle's stop): 502 with the reason; nothing was stored")
                .process(exchange -> {
                    Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
                    LOG.warn("{} failed: Virtuous could not be asked: {}", exchange.getVariable("origin", String.class), failure.getMessage());
                    exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 502);
                    exchange.getMessage().setBody(Map.of("message", "Virtuous could not be asked, nothing was previewed: " + failure.getMessage()));
                })
                .to(direct("json-answer"));

        step("preview-view", "A kept preview's report (the id header); 404 when unknown here")
                .process(exchange -> answer(exchange, previews.report(exchange.getMessage().getHeader("id", String.class)), "application/json"));

        step("preview-csv", "A kept preview's rows as CSV (the id header), to download; 404 when unknown here")
                .process(exchange -> {
                    String id = exchange.getMessage().getHeader("id", String.class);
                    answer(exchange, previews.csv(id), "text/csv; charset=utf-8");
                    // the id is a kept preview's, so nothing of the request's choosing reaches the header
                    exchange.getMessage().setHeader("Content-Disposition", "attachment; filename=\"preview-" + id + ".csv\"");
                });
    }

    /** The kept text as the answer, with nothing of the request's headers. */
    private static void answer(Exchange exchange, String text, String contentType) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(text);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
    }

    private static Preview preview(Exchange exchange) {
        return exchange.getVariable("preview", Preview.class);
    }
}
