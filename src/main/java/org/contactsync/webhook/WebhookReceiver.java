package org.contactsync.webhook;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

import org.apache.camel.Exchange;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one Virtuous webhook delivery: refuses what is too large (413), unsigned or wrongly signed (401) or not a
 * Contact event (400), and confirms every reference pair of ours the Contact carries. Deliveries for Contacts that
 * are not ours are acknowledged and change nothing, so Virtuous does not retry them.
 */
public class WebhookReceiver {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.webhook");

    private final WebhookSignature signature;
    private final WebhookEvents events;
    private final SyncLedger ledger;
    private final int maxBytes;

    public WebhookReceiver(WebhookSignature signature, WebhookEvents events, SyncLedger ledger, int maxBytes) {
        this.signature = signature;
        this.events = events;
        this.ledger = ledger;
        this.maxBytes = maxBytes;
    }

    public String receive(Exchange exchange) throws SQLException {
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
        ContactEvent event;
        try {
            event = events.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return refuse(exchange, 400, e.getMessage());
        }
        int ours = 0;
        for (ReferencePair reference : event.references()) {
            if (ledger.confirm(reference, event.survivingContactId(), event.resolvedBy())) {
                ours++;
            }
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        return "{\"accepted\":true,\"donors\":" + ours + "}";
    }

    private static String refuse(Exchange exchange, int status, String reason) {
        LOG.warn("webhook delivery refused ({}): {}", status, reason);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        return "{\"accepted\":false,\"reason\":\"" + reason.replace("\"", "'") + "\"}";
    }
}
