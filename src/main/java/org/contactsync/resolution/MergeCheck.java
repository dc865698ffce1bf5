package org.contactsync.resolution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pair of ours SYNCED to one Contact and seen by Virtuous on another (a webhook for the survivor, a page of the poll's
 * Query) is either a merge a person made in Virtuous or a duplicate Contact. One GET of the Contact the ledger names
 * tells them apart: gone (404) or merged into the other, the ledger follows the merge ({@link SyncLedger#repoint});
 * still there, it is a possible duplicate, logged and left for a person. A suspect is a plain map, the check-merge
 * step's body: {@code from} (the Contact the ledger names), {@code to} (the one showing the pair), {@code seenBy}.
 */
public class MergeCheck {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.resolution");

    private final SyncLedger ledger;

    public MergeCheck(SyncLedger ledger) {
        this.ledger = ledger;
    }

    /** The pairs of {@code shown} (each with the Contact Virtuous shows it on) SYNCED to another Contact: one suspect per two Contacts. */
    public List<Map<String, Object>> suspects(Map<ReferencePair, Long> shown, String seenBy) {
        Map<String, Map<String, Object>> suspects = new LinkedHashMap<>();
        shown.forEach((reference, contactId) -> {
            LedgerEntry entry = ledger.entry(reference);
            if (entry != null && entry.state() == SyncState.SYNCED && entry.contactId() != null && !entry.contactId().equals(contactId)) {
                Map<String, Object> suspect = new LinkedHashMap<>();
                suspect.put("from", entry.contactId());
                suspect.put("to", contactId);
                suspect.put("seenBy", seenBy);
                suspect.put("reference", reference.toString());
                suspects.putIfAbsent(entry.contactId() + ">" + contactId, suspect);
            }
        });
        return new ArrayList<>(suspects.values());
    }

    /** The Contact to read: the one the ledger names. */
    public static long recorded(Map<String, Object> suspect) {
        return ((Number) suspect.get("from")).longValue();
    }

    /** After the GET of the Contact the ledger names ({@code recorded}: null for a 404): a merge is followed, a duplicate logged. */
    public void settle(Map<String, Object> suspect, Map<String, Object> recorded) {
        long from = recorded(suspect);
        long to = ((Number) suspect.get("to")).longValue();
        Object mergedInto = recorded == null ? null : recorded.get("mergedIntoContactId");
        if (recorded == null || mergedInto instanceof Number survivor && survivor.longValue() == to) {
            ledger.repoint(from, to, String.valueOf(suspect.get("seenBy")));
        } else {
            LOG.warn("{} is SYNCED to Contact {} but Virtuous shows it on Contact {} too, and Contact {} is still there: a possible "
                    + "duplicate in Virtuous, left for a person to merge", suspect.get("reference"), from, to, from);
        }
    }
}
