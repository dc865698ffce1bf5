package org.contactsync.alert;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.bundle.SettingException;
import org.contactsync.ledger.OverdueMarks.Overdue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The overdue check (every {@code sync.alert.check-period-ms}) and its notification through the operator's endpoint,
 * {@code sync.alert.endpoint}: any Camel endpoint URI (log:, smtp:, slack:, http:), with RAW() around a secret. The route
 * names the setting, not its value; no log line of the bundle shows more of the endpoint than its scheme, nor the
 * failure's message, which may quote the URI.
 */
public final class AlertRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.alert");

    private final OverdueAlerts alerts;
    private final String endpoint;

    /** {@code endpoint}: sync.alert.endpoint as resolved, checked and for its scheme in the log; the route sends through the setting itself. */
    public AlertRoutes(OverdueAlerts alerts, String endpoint) {
        this.alerts = alerts;
        this.endpoint = endpoint;
    }

    @Override
    public void configure() {
        check(getCamelContext(), endpoint);
        String through = masked(endpoint);
        from("timer:" + PREFIX + "-overdue-alert?delay=1000&period={{sync.alert.check-period-ms}}").routeId(id("overdue-alert"))
                .description("Notifies the donors PENDING longer than sync.pending.warn-after through sync.alert.endpoint: each PENDING "
                        + "spell once, at most one notification per sync.alert.min-interval")
                .routeConfigurationId(id("background-errors"))
                .process(exchange -> exchange.setVariable("overdue", alerts.claim()))
                .filter(exchange -> !overdue(exchange).isEmpty())
                    .process(exchange -> {
                        exchange.getMessage().setBody(alerts.message(overdue(exchange)));
                        exchange.getMessage().setHeader("Subject", "Donor sync: " + overdue(exchange).size() + " donor(s) overdue in Virtuous");
                        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
                        // an http: endpoint with a query (a token) would GET without the text; other components ignore it
                        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
                    })
                    .doTry()
                        .to("{{sync.alert.endpoint}}")
                        .process(exchange -> LOG.warn("overdue notification sent through {}: {}", through,
                                alerts.warning(overdue(exchange).size())))
                    .doCatch(Exception.class)
                        .process(exchange -> {
                            alerts.unsent(overdue(exchange));
                            LOG.warn("overdue notification through {} failed ({}); its {} donor(s) are named by the next one, "
                                    + "after sync.alert.min-interval", through,
                                    exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getClass().getSimpleName(),
                                    overdue(exchange).size());
                        })
                    .end();
    }

    /**
     * Stops the start, in one line naming the setting and only the scheme, when the endpoint cannot be made: no component
     * for its scheme on the classpath (camel-mail, camel-slack), or options the component refuses. Camel's own refusal
     * would quote the whole URI.
     */
    public static void check(CamelContext context, String uri) {
        String scheme = uri.substring(0, Math.max(0, uri.indexOf(':')));
        if (context.getComponent(scheme) == null) {
            throw new SettingException("sync.alert.endpoint=" + masked(uri) + ": no Camel component '" + scheme
                    + "' on the classpath (add its jar, e.g. camel-" + scheme + ")");
        }
        try {
            context.getEndpoint(uri);
        } catch (RuntimeException e) {
            throw new SettingException("sync.alert.endpoint=" + masked(uri) + ": the " + scheme + " component refuses the URI ("
                    + e.getClass().getSimpleName() + "; check its options)");
        }
    }

    /** The endpoint as the log shows it: its scheme only (a Slack webhook URL, a mail password or a token follows it). */
    static String masked(String uri) {
        int colon = uri.indexOf(':');
        return (colon < 0 ? uri : uri.substring(0, colon)) + ":***";
    }

    @SuppressWarnings("unchecked")
    private static List<Overdue> overdue(Exchange exchange) {
        return exchange.getVariable("overdue", List.class);
    }
}
