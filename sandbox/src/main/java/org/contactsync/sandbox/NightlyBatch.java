package org.contactsync.sandbox;

import java.util.List;

/**
 * The nightly import: takes everything held, matches or creates each Contact in submission order, then sends the
 * webhooks. Deliveries happen after the store is released, so a receiver may call back into the API while handling one.
 */
final class NightlyBatch {

    private final TransactionHold hold;
    private final ContactStore store;
    private final WebhookDispatcher dispatcher;

    NightlyBatch(TransactionHold hold, ContactStore store, WebhookDispatcher dispatcher) {
        this.hold = hold;
        this.store = store;
        this.dispatcher = dispatcher;
    }

    List<BatchResult> run() {
        List<ImportOutcome> outcomes = hold.drain().stream().map(store::importTransaction).toList();
        dispatcher.deliver(outcomes);
        return outcomes.stream().map(ImportOutcome::result).toList();
    }
}
