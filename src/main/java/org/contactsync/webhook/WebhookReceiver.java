package org.contactsync.webhook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.contactsync.poll.QueryScan;
import org.contactsync.resolution.ResolutionJoin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook receiver's steps: refuses what is too large (413), unsigned or wrongly signed (401) or not a Contact
 * event (400); turns an accepted event into confirmations for the resolution aggregator, one per reference pair of
 * ours. Deliveries for Contacts that are not ours are acknowledged and change nothing, so Virtuous does not retry them.
 */
public class WebhookReceiver {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.webhook");

    private final WebhookSignature signature;
    private final WebhookEvents events;
    private final SyncLedger ledger;
    private final LedgerViews views;
    private final int maxBytes;

    public WebhookReceiver(WebhookSignature signature, WebhookEvents events, SyncLedger ledger, LedgerViews views, int maxBytes) {
        this.signature = signature;
        this.events = events;
        this.ledger = ledger;
        this.views = views;
        this.maxBytes = maxBytes;
    }

    /** The delivery's Contact event, or null when it was refused (the answer is then already set). */
    public ContactEvent verify(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body == null || body.length == 0) {
            return refuse(exchange, 400, "empty body");
        }
        if (body.length > maxBytes) {
            return refuse(exchange, 413, "body larger than " + maxBytes + " bytes");
        }
        if (!signature.isValid(body, exchange.getMessage().getHeader(signature.headerName(), String.class))) {
            return refuse(exchange, 401, "missing or wrong signature");
        }
        try {
            return events.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return refuse(exchange, 400, e.getMessage());
        }
    }

    /**
     * Whether the event's Contact has to be read from Virtuous for its reference pairs: only when the event lacks them
     * and a donor of ours could be in it (one awaiting its Contact, or a merge). Events fire for every Contact of the
     * organisation, staff's edits included, and each read spends the hourly budget the donors need.
     */
    public boolean needsContact(ContactEvent event) {
        return event.references().isEmpty() && (event.mergedIntoContactId() != null || views.anyAwaitingContact());
    }

    /** Whether a stored event's Contact still has to be read: {@link #needsContact}, unless this run's Query showed it. */
    public boolean needsRead(ContactEvent event, QueryScan scan) {
        return (scan == null || !scan.hasSeen(event.contactId())) && needsContact(event);
    }

    /**
     * One confirmation per reference pair the ledger holds, except where it already records this Contact: events fire
     * for every Contact of the organisation, and again on every later edit of ours. A SYNCED donor reported on another
     * Contact, without a merge, is logged and left as it is.
     */
    public List<Map<String, Object>> confirmations(ContactEvent event) {
        List<Map<String, Object>> confirmations = new ArrayList<>();
        boolean merged = event.mergedIntoContactId() != null;
        long contactId = event.survivingContactId();
        for (ReferencePair reference : event.references()) {
            LedgerEntry entry = ledger.entry(reference);
            if (entry == null) {
                continue;
            }
            if (entry.state() == SyncState.RECEIVED || ResolutionJoin.awaits(entry, contactId, merged)) {
                confirmations.add(ResolutionJoin.confirmation(reference, contactId, event.resolvedBy(), merged));
            } else if (!Long.valueOf(contactId).equals(entry.contactId())) {
                LOG.warn("{} is SYNCED to Contact {} but Virtuous reports it on Contact {} too: a possible duplicate in Virtuous, "
                        + "left for a person to merge", reference, entry.contactId(), contactId);
            }
        }
        return confirmations;
    }

    private static ContactEvent refuse(Exchange exchange, int status, String reason) {
        LOG.warn("webhook delivery refused ({}): {}", status, reason);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setBody("{\"accepted\":false,\"reason\":\"" + reason.replace("\"", "'") + "\"}");
        return null;
    }
}
