package org.contactsync.update;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;

/**
 * The update path's logic (update-a-contact seed): which changes a donor carries, and how each is applied to the
 * records read from Virtuous. Applying never drops what it read: unknown fields stay as they came, arrays are merged
 * item by item, values keep their natural JSON types.
 *
 * <p>Email and phone follow one policy: the new value becomes the primary individual's primary method of its kind and
 * the old primary stays on the individual, demoted (a method with the new value already there is promoted instead of
 * added). Staff keep the history, and a Find by the old email still finds the Contact.
 *
 * <p>Concurrency: Virtuous has no ETag, so a write by someone else between our GET and our PUT would be overwritten.
 * When the record read is older than {@code sync.update.recheck-after} by the time the PUT is due (the rate governor
 * made it wait), it is read again and its {@code modifiedDateTimeUtc} compared; the PUT's answer must carry a stamp
 * later than the one read. A mismatch re-reads and re-applies once; a second one sends the donor to the dead letter.
 */
public class ContactUpdates {

    private static final TypeReference<Map<String, Object>> RECORD = new TypeReference<>() { };

    private final SyncLedger ledger;
    private final Clock clock;
    private final Duration recheckAfter;
    private final ObjectMapper json = new ObjectMapper();

    public ContactUpdates(SyncLedger ledger, Clock clock, Duration recheckAfter) {
        this.ledger = ledger;
        this.clock = clock;
        this.recheckAfter = recheckAfter;
    }

    /** The donor's changes since Virtuous last took it; the entry's Contact id is known. */
    public ContactUpdate plan(LedgerEntry entry) {
        return new ContactUpdate(entry.contactId(), entry.getReference(), entry.baseline(), entry.donor(),
                DonorChanges.between(entry.baseline(), entry.donor()), entry.writeIntent());
    }

    /**
     * What Virtuous is taken to hold once a lookup found the donor's Contact: the donor itself, as a Transaction would
     * have carried it. A Contact found by email does not carry the donor's reference pair yet, so the pair stays a
     * change and the update path adds it.
     */
    public Map<String, Object> baseline(Map<String, Object> donor, String resolvedBy) {
        Map<String, Object> baseline = DonorChanges.transactionPayload(donor);
        if ("found-by-email".equals(resolvedBy)) {
            baseline.remove("referenceSource");
            baseline.remove("referenceId");
        }
        return baseline;
    }

    /**
     * The update a donor would bring to Contact {@code contactId}, from what Virtuous last took ({@code baseline}: the
     * ledger's, or {@link #baseline} after a lookup) to {@code donor}: what a replay preview shows, planned as
     * {@link #plan} plans the update path's.
     */
    public ContactUpdate planFor(long contactId, ReferencePair reference, Map<String, Object> baseline, Map<String, Object> donor) {
        return new ContactUpdate(contactId, reference, baseline, donor, DonorChanges.between(baseline, donor));
    }

    /**
     * The Contact as the update path would leave it, without writing anything: its record ({@link #applyTo}), its
     * primary address ({@link #applyToAddress}, or {@link #newAddress} for a Contact without one) and its archive state.
     */
    public Map<String, Object> outcome(ContactUpdate update, Map<String, Object> contact) {
        Map<String, Object> record = update.isContactChange() ? applyTo(update, contact) : copy(contact);
        if (update.isAddressChange()) {
            record.put("address", contact.get("address") instanceof Map<?, ?> address ? applyToAddress(update, castRecord(address))
                    : newAddress(update));
        }
        if (update.getArchive() != null) {
            record.put("isArchived", update.getArchive());
        }
        return record;
    }

    /** The full Contact record as read, with the update's changes applied: what is PUT back. */
    public Map<String, Object> applyTo(ContactUpdate update, Map<String, Object> contact) {
        Map<String, Object> record = copy(contact);
        Map<String, Object> changes = update.changes();
        ContactUpdate.RECORD_FIELDS.stream().filter(changes::containsKey).forEach(field -> record.put(field, changes.get(field)));
        if (changes.keySet().stream().anyMatch(field -> ContactUpdate.INDIVIDUAL_FIELDS.contains(field)
                || ContactUpdate.METHOD_FIELDS.contains(field))) {
            applyToIndividual(update, record, primaryIndividual(record));
        }
        if (changes.containsKey("tags")) {
            record.put("tags", mergedTags(update, list(record, "tags")));
        }
        if (changes.get("customFields") instanceof Map<?, ?> customFields) {
            record.put("customFields", mergedCustomFields(update.baseline(), customFields, objects(record, "customFields")));
        }
        if (changes.keySet().stream().anyMatch(ContactUpdate.REFERENCE_FIELDS::contains)) {
            record.put("contactReferences", mergedReferences(update, objects(record, "contactReferences")));
        }
        return record;
    }

    /** The id of the Contact's primary address, null when it has none. */
    public Long primaryAddressId(Map<String, Object> contact) {
        return contact.get("address") instanceof Map<?, ?> address && address.get("id") instanceof Number id ? id.longValue() : null;
    }

    /** The ContactAddress as read, with the donor's changed address fields. */
    public Map<String, Object> applyToAddress(ContactUpdate update, Map<String, Object> address) {
        if (address == null) {
            throw new ContactUpdateException("the primary address of Contact " + update.contactId()
                    + " was deleted in Virtuous while this update ran; replay the donor to try again");
        }
        Map<String, Object> record = copy(address);
        ContactUpdate.ADDRESS_FIELDS.stream().filter(update.changes()::containsKey)
                .forEach(field -> record.put(field, update.changes().get(field)));
        return record;
    }

    /** A primary address for a Contact that has none: the donor's address as a whole. */
    public Map<String, Object> newAddress(ContactUpdate update) {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("contactId", update.contactId());
        address.put("label", "Home");
        ContactUpdate.ADDRESS_FIELDS.stream().filter(update.donor()::containsKey)
                .forEach(field -> address.put(field, update.donor().get(field)));
        address.put("setAsPrimary", true);
        return address;
    }

    /** The Contact as it now stands in Virtuous: its address replaced by the one just written. */
    public Map<String, Object> withAddress(Map<String, Object> contact, Map<String, Object> address) {
        Map<String, Object> record = copy(contact);
        record.put("address", address);
        return record;
    }

    public Instant now() {
        return clock.instant();
    }

    /**
     * Records, committed, that the PUT of {@code record} ({@code "contact"} or {@code "address"}) is about to write over
     * {@code read}: an attempt that a crash cuts off after this knows, from a fresh read, what became of it.
     */
    public void intendWrite(ContactUpdate update, String record, Map<String, Object> read) {
        ledger.recordWrite(update.reference(), key(record, read), stamp(read) == null ? null : read.get("modifiedDateTimeUtc").toString());
    }

    /**
     * Whether an earlier attempt at this update, cut off by a crash, already wrote {@code record} ({@code "contact"} or
     * {@code "address"}): {@code read} (a fresh read) holds every change ({@code applied}, the changes applied to it,
     * equals it), so there is nothing to write again. False when no attempt was cut off, or when the record still has
     * the stamp the earlier attempt read (its PUT never landed). Someone else wrote the record since and the donor's
     * values are not there: writing them again could undo that newer change, so the update stops for a person to look.
     */
    public boolean alreadyWritten(ContactUpdate update, String record, Map<String, Object> read, Map<String, Object> applied) {
        String interrupted = update.interrupted().get(key(record, read));
        if (interrupted == null || interrupted.equals(String.valueOf(read.get("modifiedDateTimeUtc")))) {
            return false;
        }
        if (json.valueToTree(read).equals(json.valueToTree(applied))) {
            return true;
        }
        throw new ContactUpdateException("the " + record + " " + read.get("id") + " of Contact " + update.contactId() + " was changed in "
                + "Virtuous after an update of ours was cut off (a crash or a kill); its values differ from the donor's, and writing "
                + "them again could undo that newer change. Check the Contact in Virtuous, then replay the donor");
    }

    private static String key(String record, Map<String, Object> read) {
        return record + ":" + read.get("id");
    }

    /** Whether a record read at {@code readAt} is to be checked again before it is written back. */
    public boolean isStale(Instant readAt) {
        return !readAt.plus(recheckAfter).isAfter(clock.instant());
    }

    /** Whether the record was written (or deleted) since it was read. */
    public boolean changedSince(Map<String, Object> read, Map<String, Object> reread) {
        return reread == null || !Objects.equals(read.get("modifiedDateTimeUtc"), reread.get("modifiedDateTimeUtc"));
    }

    /** Whether the PUT's answer shows our write landed on what we read: a Contact stamped later than the one read. */
    public boolean landed(Map<String, Object> read, Map<String, Object> written) {
        if (written == null) {
            return false;
        }
        LocalDateTime before = stamp(read);
        LocalDateTime after = stamp(written);
        return before == null || after != null && after.isAfter(before);
    }

    /** Counts a write that did not land cleanly; the second one ends the update. Returns the new count. */
    public int conflict(ContactUpdate update, Integer conflicts) {
        int count = conflicts == null ? 1 : conflicts + 1;
        if (count > 1) {
            throw new ContactUpdateException("Contact " + update.contactId() + " was written by someone else between our read and "
                    + "our write, twice; nothing of ours was kept over theirs. Check the Contact in Virtuous, then replay the donor");
        }
        return count;
    }

    /** The Contact that now holds the donor's reference pair after a 404: merged into another one, or gone. */
    public ContactUpdate relocate(ContactUpdate update, Map<String, Object> found) {
        if (found == null || !(found.get("id") instanceof Number id) || id.longValue() == update.contactId()) {
            throw new ContactUpdateException("Contact " + update.contactId() + " no longer exists in Virtuous (merged or deleted) and no "
                    + "Contact holds " + update.reference() + "; replay the donor to submit it again, or discard it");
        }
        return new ContactUpdate(id.longValue(), update.reference(), update.baseline(), update.donor(), update.changes(), update.interrupted());
    }

    private void applyToIndividual(ContactUpdate update, Map<String, Object> record, Map<String, Object> individual) {
        Map<String, Object> changes = update.changes();
        for (String field : ContactUpdate.INDIVIDUAL_FIELDS) {
            if (changes.containsKey(field)) {
                Object value = changes.get(field);
                // the Transaction's "title" is the individual's prefix; birth parts are integers on a ContactIndividual
                individual.put(field.equals("title") ? "prefix" : field,
                        field.startsWith("birth") ? Integer.valueOf(value.toString()) : value);
            }
        }
        String oldName = displayName(update.baseline());
        if (oldName != null && oldName.equals(record.get("name")) && (changes.containsKey("firstName") || changes.containsKey("lastName"))) {
            record.put("name", displayName(update.donor()));
        }
        List<Map<String, Object>> methods = objects(individual, "contactMethods");
        if (changes.containsKey("email") || changes.containsKey("emailType")) {
            makePrimary(methods, true, (String) update.donor().get("email"), (String) update.donor().get("emailType"));
        }
        if (changes.containsKey("phone") || changes.containsKey("phoneType")) {
            makePrimary(methods, false, (String) update.donor().get("phone"), (String) update.donor().get("phoneType"));
        }
        individual.put("contactMethods", methods);
    }

    /** The primary individual, or a new one (made primary) for a Contact that has none, as an import would add. */
    private static Map<String, Object> primaryIndividual(Map<String, Object> record) {
        List<Map<String, Object>> individuals = objects(record, "contactIndividuals");
        record.put("contactIndividuals", individuals);
        return individuals.stream().filter(individual -> Boolean.TRUE.equals(individual.get("isPrimary"))).findFirst().orElseGet(() -> {
            Map<String, Object> added = new LinkedHashMap<>();
            added.put("isPrimary", true);
            added.put("contactMethods", new ArrayList<>());
            individuals.add(added);
            return added;
        });
    }

    private static void makePrimary(List<Map<String, Object>> methods, boolean email, String value, String type) {
        if (value == null) {
            return;
        }
        Map<String, Object> target = methods.stream().filter(method -> isEmail(method) == email && sameValue(method, value, email))
                .findFirst().orElse(null);
        for (Map<String, Object> method : methods) {
            if (isEmail(method) == email && method != target && Boolean.TRUE.equals(method.get("isPrimary"))) {
                method.put("isPrimary", false);
            }
        }
        if (target == null) {
            target = new LinkedHashMap<>();
            target.put("value", value);
            methods.add(target);
        }
        target.put("isPrimary", true);
        if (type != null) {
            target.put("type", type);
        }
    }

    private static boolean isEmail(Map<String, Object> method) {
        Object type = method.get("type");
        Object value = method.get("value");
        return type != null && type.toString().toLowerCase(Locale.ROOT).contains("email") || value != null && value.toString().contains("@");
    }

    private static boolean sameValue(Map<String, Object> method, String value, boolean email) {
        Object current = method.get("value");
        if (current == null) {
            return false;
        }
        return email ? current.toString().equalsIgnoreCase(value) : digits(current.toString()).equals(digits(value));
    }

    private static String digits(String phone) {
        return phone.replaceAll("\\D", "");
    }

    private static String displayName(Map<String, Object> donor) {
        if (donor == null || donor.get("firstName") == null || donor.get("lastName") == null) {
            return null;
        }
        return donor.get("firstName") + " " + donor.get("lastName");
    }

    /** Tags the donor gained are added, tags it lost are removed; tags staff gave the Contact stay. */
    private static List<Object> mergedTags(ContactUpdate update, List<Object> current) {
        Set<String> before = tagSet(update.baseline() == null ? null : update.baseline().get("tags"));
        Set<String> now = tagSet(update.donor().get("tags"));
        List<Object> merged = new ArrayList<>(current);
        merged.removeIf(tag -> before.contains(lower(tag)) && !now.contains(lower(tag)));
        for (String tag : tags(update.donor().get("tags"))) {
            if (merged.stream().noneMatch(existing -> lower(existing).equals(lower(tag)))) {
                merged.add(tag);
            }
        }
        return merged;
    }

    private static List<String> tags(Object semicolonSeparated) {
        return semicolonSeparated == null ? List.of() : List.of(semicolonSeparated.toString().split(";"));
    }

    private static Set<String> tagSet(Object semicolonSeparated) {
        Set<String> set = new LinkedHashSet<>();
        tags(semicolonSeparated).forEach(tag -> set.add(lower(tag)));
        return set;
    }

    private static String lower(Object text) {
        return text.toString().toLowerCase(Locale.ROOT);
    }

    /** Each changed custom field set by name (Virtuous keeps the values as text); the others stay as they are. */
    private static List<Map<String, Object>> mergedCustomFields(Map<String, Object> baseline, Map<?, ?> donorFields,
            List<Map<String, Object>> current) {
        Object known = baseline == null ? null : baseline.get("customFields");
        Map<?, ?> before = known instanceof Map<?, ?> map ? map : Map.of();
        donorFields.forEach((name, value) -> {
            if (value == null || value.equals(before.get(name))) {
                return;
            }
            Map<String, Object> field = current.stream().filter(item -> name.equals(item.get("name"))).findFirst().orElseGet(() -> {
                Map<String, Object> added = new LinkedHashMap<>();
                added.put("name", name);
                current.add(added);
                return added;
            });
            field.put("value", value.toString());
        });
        return current;
    }

    /** The donor's own reference pair and its other references, each added when the Contact lacks it; none removed. */
    private static List<Map<String, Object>> mergedReferences(ContactUpdate update, List<Map<String, Object>> current) {
        List<Map<String, Object>> wanted = new ArrayList<>();
        wanted.add(Map.of("source", update.reference().referenceSource(), "id", update.reference().referenceId()));
        if (update.donor().get("contactReferences") instanceof List<?> others) {
            others.forEach(other -> wanted.add(castRecord(other)));
        }
        for (Map<String, Object> reference : wanted) {
            boolean known = current.stream().anyMatch(item -> Objects.equals(item.get("source"), reference.get("source"))
                    && Objects.equals(item.get("id"), reference.get("id")));
            if (!known) {
                current.add(new LinkedHashMap<>(reference));
            }
        }
        return current;
    }

    private static LocalDateTime stamp(Map<String, Object> record) {
        Object stamp = record.get("modifiedDateTimeUtc");
        if (stamp == null) {
            return null;
        }
        String text = stamp.toString();
        // Virtuous stamps are UTC with 2 to 7 fraction digits and sometimes a trailing Z (virtuous-api.md §2)
        return LocalDateTime.parse(text.endsWith("Z") ? text.substring(0, text.length() - 1) : text);
    }

    private Map<String, Object> copy(Map<String, Object> record) {
        try {
            return json.readValue(json.writeValueAsBytes(record), RECORD);
        } catch (IOException e) {
            throw new IllegalStateException("a record read as JSON is written back as JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castRecord(Object item) {
        return (Map<String, Object>) item;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> record, String property) {
        return record.get(property) instanceof List<?> list ? new ArrayList<>((List<Object>) list) : new ArrayList<>();
    }

    private static List<Map<String, Object>> objects(Map<String, Object> record, String property) {
        List<Map<String, Object>> items = new ArrayList<>();
        list(record, property).forEach(item -> items.add(castRecord(item)));
        return items;
    }
}
