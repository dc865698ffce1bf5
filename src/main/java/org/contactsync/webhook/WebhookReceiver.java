package org.contactsync.webhook;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.contactsync.poll.QueryScan;
import org.contactsync.resolution.MergeCheck;
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
    private final MergeCheck merges;
    private final int maxBytes;

    public WebhookReceiver(WebhookSignature signature, WebhookEvents events, SyncLedger ledger, LedgerViews views, MergeCheck merges,
            int maxBytes) {
        this.signature = signature;
        this.events = events;
        this.ledger = ledger;
        this.views = views;
        this.merges = merges;
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
     * A merge the event reports (mergedIntoContactId): every ledger entry naming the merged Contact names the survivor,
     * at once, before the delivery is answered; no read of Virtuous is needed for that.
     */
    public void followMerge(ContactEvent event) {
        if (event.mergedIntoContactId() != null) {
            ledger.repoint(event.contactId(), event.mergedIntoContactId(), event.resolvedBy());
        }
    }

    /**
     * Whether the event's Contact (the survivor of a merge) has to be read from Virtuous, in the poll lane, for its
     * reference pairs: only when the event lacks them and a donor of ours awaits its Contact. Events fire for every
     * Contact of the organisation, staff's edits included, and each read spends the hourly budget the donors need.
     */
    public boolean needsContact(ContactEvent event) {
        return event.references().isEmpty() && views.anyAwaitingContact();
    }

    /**
     * Whether a stored event's Contact still has to be read: unless this run's Query showed it, when a donor awaits it
     * ({@link #needsContact}) or it was held for a merge check ({@code mergeCheck}: a read of it, then of the recorded
     * Contact, tells a merge from a duplicate).
     */
    public boolean needsRead(ContactEvent event, QueryScan scan, boolean mergeCheck) {
        return (scan == null || !scan.hasSeen(event.survivingContactId())) && (mergeCheck || needsContact(event));
    }

    /** The pairs of ours the event shows on its Contact while the ledger has them SYNCED to another: the check-merge step's bodies. */
    public List<Map<String, Object>> possibleMerges(ContactEvent event) {
        Map<ReferencePair, Long> shown = new LinkedHashMap<>();
        event.references().forEach(reference -> shown.put(reference, event.survivingContactId()));
        return merges.suspects(shown, event.resolvedBy());
    }

    /**
     * One confirmation per reference pair of a donor awaiting its Contact (RECEIVED, PENDING, a dead-lettered submit):
     * events fire for every Contact of the organisation, and again on every later edit of ours. After a merge the
     * confirmation names the survivor and the merged Contact, for the donor's history. A SYNCED donor is left to
     * {@link #followMerge} and {@link #possibleMerges}.
     */
    public List<Map<String, Object>> confirmations(ContactEvent event) {
        List<Map<String, Object>> confirmations = new ArrayList<>();
        Long mergedFrom = event.mergedIntoContactId() == null ? null : event.contactId();
        for (ReferencePair reference : event.references()) {
            LedgerEntry entry = ledger.entry(reference);
            if (entry != null && (entry.state() == SyncState.RECEIVED || ResolutionJoin.awaits(entry))) {
                confirmations.add(ResolutionJoin.confirmation(reference, event.survivingContactId(), event.resolvedBy(), mergedFrom));
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
