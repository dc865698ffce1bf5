package org.contactsync.drift;

import java.time.Duration;
import java.util.concurrent.CancellationException;

import org.apache.camel.Exchange;
import org.apache.camel.model.ProcessorDefinition;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.ledger.DriftHolds;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.virtuous.VirtuousCall;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequests;

/**
 * The drift guard's routes: the check of the organisation (at start, then every {@code sync.drift.check-period}, or on
 * demand through {@code direct:<prefix>-drift-check}), and the hold a claimed donor passes before its lookup or update.
 */
public final class DriftRoutes extends BundleRouteBuilder {

    private final DriftGuard guard;
    private final DriftHolds holds;
    private final VirtuousRequests requests;
    private final Duration period;

    public DriftRoutes(DriftGuard guard, DriftHolds holds, VirtuousRequests requests, Duration period) {
        this.guard = guard;
        this.holds = holds;
        this.requests = requests;
        this.period = period;
    }

    @Override
    public void configure() {
        // four requests a check, in the poll's lane: after live donors, before bulk loads
        ProcessorDefinition<?> check = step("drift-check", "Reads the organisation's Contact Types, contact method types, custom fields and query "
                + "options; names what drifted and releases the held donors that no longer carry it (queued for sync)")
                .setVariable(VirtuousCallRoute.LANE, constant("poll"))
                // a list that cannot be read now is read at the next check: no retries to spend budget or trip the circuit
                .setVariable(VirtuousCall.NO_RETRIES, constant(true));
        for (OrganisationList list : OrganisationList.values()) {
            check = check.setVariable(VirtuousClient.REQUEST, constant(list.request(requests)))
                    .doTry()
                        .to(direct("virtuous-call"))
                        .process(exchange -> guard.read(list, exchange.getMessage().getBody()))
                    // the bundle is stopping: the check is simply not made, nothing was read
                    .doCatch(CancellationException.class)
                        .stop()
                    .doCatch(Exception.class)
                        .process(exchange -> guard.unreadable(list, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage()))
                    .end();
        }
        check.removeVariable(VirtuousCall.NO_RETRIES)
                .process(exchange -> exchange.getMessage().setBody(guard.checked()))
                .split(body())
                    .to(direct("sync-queue"));

        // 0s: no check of its own, only on demand (nothing is held then, since no list is known)
        if (!period.isZero()) {
            from("timer:" + PREFIX + "-drift-schedule?delay=1000&period=" + period.toMillis()).routeId(id("drift-schedule"))
                    .description("Checks the organisation against the mapping at start and every sync.drift.check-period")
                    .routeConfigurationId(id("background-errors"))
                    .to(direct("drift-check"));
        }

        step("drift-hold", "Holds the claimed donor (the entry variable) when it would carry a value the organisation no longer has: "
                + "the held variable true, its claim given up; a donor that no longer does is let go")
                .process(this::hold);
    }

    private void hold(Exchange exchange) {
        LedgerEntry entry = exchange.getVariable("entry", LedgerEntry.class);
        String reason = guard.reason(entry);
        if (reason == null) {
            holds.release(entry.getReference(), "it carries no value the organisation lacks");
            exchange.setVariable("held", false);
        } else {
            exchange.setVariable("held", holds.hold(entry.getReference(), reason));
        }
    }

}
