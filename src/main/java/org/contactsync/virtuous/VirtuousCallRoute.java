package org.contactsync.virtuous;

import org.apache.camel.Processor;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.ratelimit.RateGovernor;

/**
 * The one route every Virtuous call goes through ({@code direct:<prefix>-virtuous-call}): the {@link VirtuousRequest}
 * in the {@code virtuousRequest} variable, in the governor's lane in the {@code lane} variable (live when none), through
 * the access gate and the rate governor; each try classed by {@link VirtuousCall}. The body becomes the parsed answer
 * (null for 404 and an empty answer). It handles no error: a failure goes back to the calling stage's error policy.
 */
public final class VirtuousCallRoute extends BundleRouteBuilder {

    /** The variable naming the rate governor's lane: live, poll or bulk. */
    public static final String LANE = "lane";

    private final ApiAccessGate gate;
    private final RateGovernor governor;
    private final VirtuousClient client;
    private final VirtuousCall call;
    private final Processor afterEachTry;

    /** {@code afterEachTry}: sees every try, answered or not (the metrics count them). */
    public VirtuousCallRoute(ApiAccessGate gate, RateGovernor governor, VirtuousClient client, VirtuousCall call, Processor afterEachTry) {
        this.gate = gate;
        this.governor = governor;
        this.client = client;
        this.call = call;
        this.afterEachTry = afterEachTry;
    }

    @Override
    public void configure() {
        step("virtuous-call", "Every Virtuous call: access gate, rate governor, request, retries, answer")
                .process(call::begin)
                .loopDoWhile(exchange -> !call.isDone(exchange))
                    // camel-http sends every message header as an HTTP header: nothing from upstream may reach Virtuous
                    .removeHeaders("*")
                    .process(gate::acquire)
                    .doTry()
                        .process(exchange -> governor.acquire(exchange.getVariable(LANE, String.class)))
                        .process(client::prepareRequest)
                        .to("{{virtuous.api.base-url}}?throwExceptionOnFailure=false").id(id("virtuous-http"))
                    .doCatch(Exception.class)
                        .process(call::failed)
                    // the key must not travel on with the exchange (into a stored exchange, a log, an error)
                    .doFinally()
                        .removeHeader("Authorization")
                        .process(afterEachTry)
                    .end()
                    .process(call::answered)
                .end()
                .process(exchange -> exchange.getMessage().setBody(client.readResponse(exchange)));
    }
}
