package org.contactsync.status;

import org.apache.camel.Exchange;
import org.apache.camel.model.RouteDefinition;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.health.SyncHealth;
import org.contactsync.ledger.LedgerViews;

/**
 * The machinery of {@code routes/sync-status.camel.yaml}: the operator's
 * credentials, the views of the ledger, readiness, the page, the OpenAPI document, and the budget's samples for the
 * page's chart.
 */
public final class StatusRoutes extends BundleRouteBuilder {

    private final StatusAccess access;
    private final SyncStatus status;
    private final LedgerViews views;
    private final SyncHealth health;
    private final BundledFile page;
    private final BundledFile apiDocument;
    private final BudgetHistory budgetHistory;

    public StatusRoutes(StatusAccess access, SyncStatus status, LedgerViews views, SyncHealth health, BundledFile page,
            BundledFile apiDocument, BudgetHistory budgetHistory) {
        this.access = access;
        this.status = status;
        this.views = views;
        this.health = health;
        this.page = page;
        this.apiDocument = apiDocument;
        this.budgetHistory = budgetHistory;
    }

    @Override
    public void configure() {
        step("operator-access", "Turns away a request to the status page or the operator API without the credentials (401)")
                .filter(exchange -> access.refuses(exchange.getMessage().getHeader("Authorization", String.class)))
                    .removeHeaders("*")
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(401))
                    .setHeader("WWW-Authenticate", constant("Basic realm=\"virtuous-contact-sync\", charset=\"UTF-8\""))
                    .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                    .setBody(constant("{\"message\":\"credentials required: sync.status.username and SYNC_STATUS_PASSWORD\"}"))
                    // ends the whole exchange, not only this route: the caller's steps never run
                    .stop();

        step("status-view", "Donors by state, the oldest PENDING, the API budget now and over time, bulk loads, webhook reads waiting")
                .process(exchange -> exchange.getMessage().setBody(status.view()))
                .to(direct("json-answer"));

        step("donor-view", "The donor's ledger row and history (the referenceSource and referenceId headers); 404 when unknown")
                .process(exchange -> exchange.getMessage().setBody(views.view(exchange.getMessage().getHeader("referenceSource", String.class),
                        exchange.getMessage().getHeader("referenceId", String.class))))
                .choice()
                    .when(body().isNull())
                        .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(404))
                        .setBody(constant(java.util.Map.of("message", "no donor with this reference pair")))
                .end()
                .to(direct("json-answer"));

        step("health-view", "Readiness with each check's reason; 503 while any is DOWN")
                .process(exchange -> {
                    var readiness = health.readiness(exchange.getContext());
                    exchange.getMessage().setBody(readiness);
                    exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, "UP".equals(readiness.get("status")) ? 200 : 503);
                })
                .to(direct("json-answer"));

        serve(step("status-page-html", "The status page's HTML"), page);

        serve(step("openapi-document", "The OpenAPI document of the bundle's HTTP API, as the jar carries it"), apiDocument);

        from("timer:" + PREFIX + "-budget-sample?delay=0&period={{sync.status.budget-sample-period-ms}}").routeId(id("budget-sample"))
                .description("Samples the rate governor's budget for the status page's chart")
                .process(exchange -> budgetHistory.sample());
    }

    /**
     * Answers the file, with nothing of the request's headers. (No Cache-Control: platform-http's header filter drops it
     * from every answer; without a Last-Modified or ETag a browser does not cache the page anyway.)
     */
    private void serve(RouteDefinition step, BundledFile file) {
        step.removeHeaders("*")
                .setBody(exchange -> file.text())
                .setHeader(Exchange.CONTENT_TYPE, constant(file.contentType()));
    }
}
