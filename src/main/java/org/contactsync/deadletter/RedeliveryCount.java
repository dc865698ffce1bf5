package org.contactsync.deadletter;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Keeps the error policy's redelivery count where the dead letter can read it: Camel removes its own redelivery
 * headers before the dead-letter steps of an exhausted retry run, so a letter would otherwise always say one attempt.
 */
public class RedeliveryCount implements Processor {

    public static final String VARIABLE = "redeliveries";

    @Override
    public void process(Exchange exchange) {
        exchange.setVariable(VARIABLE, exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class));
    }
}
