package org.contactsync.deadletter;

import java.io.IOException;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.submit.Submissions;
import org.contactsync.update.ContactUpdateException;
import org.contactsync.virtuous.RequestWithdrawnException;
import org.contactsync.virtuous.UnansweredRequestException;
import org.contactsync.virtuous.VirtuousApiException;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequest;

/**
 * Where each failure ends, in one place. The Virtuous call has already retried what retrying can fix (VirtuousCall);
 * what reaches a stage here is final for this attempt:
 * <ul>
 *   <li>{@code <prefix>-sync-errors}, for a donor being synced: Virtuous's refusal (4xx), retries run out (5xx, timeouts)
 *       or an update that cannot finish go to the dead letter; a submit that may have reached Virtuous with no answer
 *       saying so stays PENDING; a stop, or a donor that moved on while it waited, ends the exchange quietly (nothing
 *       was sent, the donor is where it was);</li>
 *   <li>{@code <prefix>-background-errors}, for the schedules (poll, bulk worker, webhook reader, subscription): logged,
 *       tried again on the next run;</li>
 *   <li>{@code <prefix>-operator-api}: 404 unknown letter, 409 already replayed or discarded, 400 bad request;</li>
 *   <li>{@code <prefix>-propagate}: no error handler, for the routes a stage calls (its failure is its caller's).</li>
 * </ul>
 */
public final class ErrorPolicies extends RouteConfigurationBuilder {

    private final Submissions submissions;

    public ErrorPolicies(Submissions submissions) {
        this.submissions = submissions;
    }

    @Override
    public void configuration() {
        routeConfiguration(BundleRouteBuilder.id("sync-errors"))
                .onException(VirtuousApiException.class, IOException.class, ContactUpdateException.class)
                    .handled(true)
                    .to(BundleRouteBuilder.direct("dead-letter"))
                .end()
                .onException(UnansweredRequestException.class)
                    .handled(true)
                    .log(LoggingLevel.WARN, "contact-sync.virtuous", "${variable.entry.reference}: ${exception.message}; not sent again")
                    .process(this::unanswered)
                .end()
                .onException(CancellationException.class, RequestWithdrawnException.class)
                    .handled(true)
                    .log(LoggingLevel.INFO, "contact-sync.virtuous", "${variable.entry.reference}: ${exception.message}")
                .end();

        routeConfiguration(BundleRouteBuilder.id("background-errors"))
                .onException(Exception.class)
                    .handled(true)
                    .log(LoggingLevel.WARN, "contact-sync.background", "${routeId}: ${exception.message}; tried again on the next run")
                .end();

        routeConfiguration(BundleRouteBuilder.id("operator-api"))
                .onException(NoSuchElementException.class)
                    .handled(true)
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(404))
                    .to(BundleRouteBuilder.direct("operator-problem"))
                .end()
                .onException(IllegalStateException.class)
                    .handled(true)
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(409))
                    .to(BundleRouteBuilder.direct("operator-problem"))
                .end()
                .onException(IllegalArgumentException.class)
                    .handled(true)
                    .setHeader(Exchange.HTTP_RESPONSE_CODE, constant(400))
                    .to(BundleRouteBuilder.direct("operator-problem"))
                .end();

        routeConfiguration(BundleRouteBuilder.id("propagate")).errorHandler(noErrorHandler());
    }

    /** The submit's donors stay PENDING and sent; an update's donor stays RECEIVED and starts again from a fresh read. */
    private void unanswered(Exchange exchange) {
        submissions.unanswered(exchange.getVariable(VirtuousClient.REQUEST, VirtuousRequest.class),
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, UnansweredRequestException.class));
    }
}
