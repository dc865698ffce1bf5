package org.contactsync.update;

import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousRequest;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code routes/contact-update.camel.yaml} (update-a-contact seed): the plan, GET-then-PUT of the full
 * record with its re-read when someone else wrote in between, the move to the surviving Contact after a merge, the
 * primary address through its own endpoint, the archive endpoints, and the end of the update. The update in progress
 * is the {@code update} variable, the Contact as last read or written the {@code contact} variable.
 */
public final class UpdateRoutes extends BundleRouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.update");

    private final ContactUpdates updates;
    private final VirtuousRequests requests;
    private final SyncLedger ledger;

    public UpdateRoutes(ContactUpdates updates, VirtuousRequests requests, SyncLedger ledger) {
        this.updates = updates;
        this.requests = requests;
        this.ledger = ledger;
    }

    @Override
    public void configure() {
        step("plan-update", "The donor's changes since Virtuous last took it, sorted by where each lands: the update variable")
                .process(exchange -> exchange.setVariable("update", updates.plan(exchange.getVariable("entry", LedgerEntry.class))));

        step("write-contact", "GET the Contact and, when the record changes, PUT it; a write by someone else in between is re-read and re-applied once")
                .removeVariable("written")
                .loopDoWhile(variable("written").isNull())
                    .process(exchange -> call(exchange, requests.contactById(update(exchange).contactId())))
                    .toV(direct("virtuous-call"), null, "contact")
                    .process(exchange -> exchange.setVariable("readAt", updates.now()))
                    .choice()
                        // 404: merged or deleted in Virtuous
                        .when(variable("contact").isNull()).to(direct("relocate-contact"))
                        .when(exchange -> update(exchange).isContactChange()).to(direct("put-contact"))
                        .otherwise().setVariable("written", variable("contact"))
                    .end()
                .end()
                .setVariable("contact", variable("written"));

        step("put-contact", "PUT /api/Contact/{id}: the record as read plus the changes, checked by modifiedDateTimeUtc before and after")
                .setVariable("concurrent", constant(false))
                // the record waited (the rate governor held the call): its stamp is read again before it is written over
                .filter(exchange -> updates.isStale(exchange.getVariable("readAt", java.time.Instant.class)))
                    .process(exchange -> call(exchange, requests.contactById(update(exchange).contactId())))
                    .toV(direct("virtuous-call"), null, "reread")
                    .process(exchange -> exchange.setVariable("concurrent", updates.changedSince(contact(exchange, "contact"), contact(exchange, "reread"))))
                .end()
                .filter(variable("concurrent").isEqualTo(false))
                    .process(exchange -> exchange.setVariable("record", updates.applyTo(update(exchange), contact(exchange, "contact"))))
                    .choice()
                        // an earlier attempt, cut off by a crash, already wrote it: nothing to PUT again
                        .when(exchange -> updates.alreadyWritten(update(exchange), "contact", contact(exchange, "contact"), contact(exchange, "record")))
                            .setVariable("written", variable("contact"))
                        .otherwise()
                            // what this PUT writes over, committed before it leaves
                            .process(exchange -> updates.intendWrite(update(exchange), "contact", contact(exchange, "contact")))
                            .process(exchange -> call(exchange, requests.updateContact(update(exchange).contactId(), contact(exchange, "record"))))
                            .toV(direct("virtuous-call"), null, "answer")
                            .choice()
                                // the answer, not our input, is the canonical state (server-side normalisation)
                                .when(exchange -> updates.landed(contact(exchange, "contact"), contact(exchange, "answer")))
                                    .setVariable("written", variable("answer"))
                                .otherwise()
                                    .setVariable("concurrent", constant(true))
                            .end()
                    .end()
                .end()
                .filter(variable("concurrent").isEqualTo(true))
                    .process(this::conflict);

        step("relocate-contact", "The Contact answered 404 (merged or deleted): Find the donor by reference; the Contact holding it now takes the update")
                .process(exchange -> call(exchange, requests.findByReference(update(exchange).reference().referenceSource(),
                        update(exchange).reference().referenceId())))
                .toV(direct("virtuous-call"), null, "found")
                .process(exchange -> {
                    ContactUpdate relocated = updates.relocate(update(exchange), contact(exchange, "found"));
                    // every entry naming the gone Contact follows it, this one (RECEIVED, claimed) among them
                    ledger.repoint(update(exchange).contactId(), relocated.contactId(), "update");
                    exchange.setVariable("update", relocated);
                });

        step("write-address", "The primary ContactAddress: GET it, apply the changed fields, PUT it back; a Contact without one gets one")
                .process(exchange -> exchange.setVariable("addressId", updates.primaryAddressId(contact(exchange, "contact"))))
                .choice()
                    .when(variable("addressId").isNotNull())
                        .process(exchange -> call(exchange, requests.contactAddress(addressId(exchange))))
                        .toV(direct("virtuous-call"), null, "address")
                        .process(exchange -> exchange.setVariable("applied", updates.applyToAddress(update(exchange), contact(exchange, "address"))))
                        .choice()
                            // an earlier attempt, cut off by a crash, already wrote it: it is read back instead
                            .when(exchange -> updates.alreadyWritten(update(exchange), "address", contact(exchange, "address"), contact(exchange, "applied")))
                                .process(exchange -> call(exchange, requests.contactAddress(addressId(exchange))))
                            .otherwise()
                                .process(exchange -> updates.intendWrite(update(exchange), "address", contact(exchange, "address")))
                                .process(exchange -> call(exchange, requests.updateContactAddress(addressId(exchange), contact(exchange, "applied"))))
                        .end()
                    .endChoice()
                    .otherwise()
                        .process(exchange -> call(exchange, requests.createContactAddress(updates.newAddress(update(exchange)))))
                .end()
                .toV(direct("virtuous-call"), null, "address")
                .process(exchange -> exchange.setVariable("contact", updates.withAddress(contact(exchange, "contact"), contact(exchange, "address"))));

        step("write-archive", "PUT /api/Contact/Archive or /Unarchive: never isArchived through a Contact PUT")
                .process(exchange -> call(exchange, requests.archive(update(exchange).contactId(), update(exchange).getArchive())))
                .to(direct("virtuous-call"));

        step("update-done", "SYNCED with what was applied; a change that arrived while the update ran goes out too")
                .process(exchange -> {
                    ContactUpdate update = update(exchange);
                    ledger.markUpdated(update.reference(), update.contactId(), update.donor(), contact(exchange, "contact"), update.summary());
                    exchange.getMessage().setBody(ledger.reopenIfChanged(update.reference()) ? update.reference() : null);
                })
                .filter(body().isNotNull())
                    .to(direct("sync-queue"));
    }

    private void conflict(Exchange exchange) {
        ContactUpdate update = update(exchange);
        LOG.warn("{}: Contact {} was written by someone else between our read and our write; reading it again", update.reference(),
                update.contactId());
        exchange.setVariable("conflicts", updates.conflict(update, exchange.getVariable("conflicts", Integer.class)));
    }

    private static void call(Exchange exchange, VirtuousRequest request) {
        exchange.setVariable(VirtuousClient.REQUEST, request);
    }

    private static ContactUpdate update(Exchange exchange) {
        return exchange.getVariable("update", ContactUpdate.class);
    }

    private static long addressId(Exchange exchange) {
        return exchange.getVariable("addressId", Long.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> contact(Exchange exchange, String variable) {
        return exchange.getVariable(variable, Map.class);
    }
}
