package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The organisation's Contacts. Every read and write holds the store's lock, so no two Contacts can come to share a
 * reference pair. A stored Contact is never changed, only replaced by a changed copy, so one handed out stays whole.
 * Merged Contacts stay stored with their {@code mergedIntoContactId} but, like deleted ones, the API no longer sees them.
 */
final class ContactStore {

    static final String STAFF_USER = "Sandbox Staff";
    static final String IMPORT_USER = "Contact Import";
    static final String API_USER = "Sandbox API Key";

    // Ids only grow, so insertion order is id order and "first match" means "oldest Contact".
    private final Map<Long, StoredContact> contacts = new LinkedHashMap<>();
    private final SandboxSettings settings;
    private final RecordIds ids;
    private final ContactImporter importer;

    ContactStore(SandboxSettings settings, RecordIds ids) {
        this.settings = settings;
        this.ids = ids;
        this.importer = new ContactImporter(settings, ids);
    }

    /** Creates a Contact as a staff user would in the UI: no matching, so a reference pair already in use is refused. */
    synchronized long seed(ContactTransaction transaction) {
        ContactReference reference = transaction.reference();
        if (reference != null && first(contact -> contact.hasReference(reference)).isPresent()) {
            throw new IllegalArgumentException("A Contact already carries the reference " + reference);
        }
        StoredContact contact = importer.create(transaction, STAFF_USER);
        contacts.put(contact.id(), contact);
        return contact.id();
    }

    synchronized ImportOutcome importTransaction(ContactTransaction transaction) {
        Optional<StoredContact> match = ContactMatcher.match(transaction, live().toList());
        StoredContact contact;
        String event;
        if (match.isPresent()) {
            contact = match.get().copy();
            importer.merge(contact, transaction, IMPORT_USER);
            event = BatchResult.CONTACT_UPDATE;
        } else {
            contact = importer.create(transaction, IMPORT_USER);
            event = BatchResult.CONTACT_CREATE;
        }
        contacts.put(contact.id(), contact);
        BatchResult result = new BatchResult(event, contact.id(), transaction.text("referenceSource"), transaction.text("referenceId"));
        return new ImportOutcome(result, contact.toJson());
    }

    /**
     * Applies a change to a copy of the live Contact, checks the result, and only then stores it, so a refused write
     * changes nothing. The Contact and every part whose values changed get a new modified stamp.
     *
     * @throws RequestRefused when the Contact is not live, the result fails validation, or it would share a reference
     *                      pair or an email with another Contact
     */
    synchronized StoredContact update(long contactId, PutSemantics semantics, String user, BiConsumer<StoredContact, ContactWrite> change) {
        StoredContact current = liveById(contactId).orElseThrow(RequestRefused::notFound);
        ContactWrite write = new ContactWrite(semantics, settings.now(), user, ids, settings.organisation());
        StoredContact candidate = current.copy();
        change.accept(candidate, write);
        candidate.validate(write, current);
        if (!write.problems().isEmpty()) {
            throw RequestRefused.invalid(write.problems());
        }
        List<FieldError> conflicts = conflicts(current, candidate);
        if (!conflicts.isEmpty()) {
            throw RequestRefused.conflict(conflicts);
        }
        candidate.stampChanges(current, write.now(), write.user());
        contacts.put(contactId, candidate);
        return candidate;
    }

    /** {@link #update} of the live Contact that holds a part (an address, an individual, a contact method). */
    synchronized StoredContact updateHolder(Predicate<StoredContact> holdsPart, PutSemantics semantics, String user,
                                           BiConsumer<StoredContact, ContactWrite> change) {
        StoredContact holder = live().filter(holdsPart).findFirst().orElseThrow(RequestRefused::notFound);
        return update(holder.id(), semantics, user, change);
    }

    /** A view of the first live Contact's part that {@code view} finds, e.g. an address by its id. */
    synchronized <T> Optional<T> part(Function<StoredContact, Optional<T>> view) {
        return live().map(view).flatMap(Optional::stream).findFirst();
    }

    /**
     * The UI's merge (§7): the losing Contact gets {@code mergedIntoContactId} and drops out of the API.
     *
     * @return the losing Contact as it now stands, which its contactUpdate webhook carries
     */
    synchronized ImportOutcome merge(long losingId, long survivingId) {
        if (losingId == survivingId) {
            throw new IllegalArgumentException("A Contact cannot be merged into itself");
        }
        StoredContact losing = liveCopy(losingId);
        StoredContact surviving = liveCopy(survivingId);
        losing.mergeInto(surviving);
        losing.touch(settings.now(), STAFF_USER);
        surviving.touch(settings.now(), STAFF_USER);
        contacts.put(losingId, losing);
        contacts.put(survivingId, surviving);
        return new ImportOutcome(new BatchResult(BatchResult.CONTACT_UPDATE, losingId, null, null), losing.toJson());
    }

    /** The live Contacts that match, as they stand; being never changed, they may be read outside the lock. */
    /** The organisation renamed a value of one of its lists: every Contact that had it reads with the new name. */
    synchronized void renamed(String list, String from, String to) {
        contacts.values().forEach(contact -> contact.renamed(list, from, to));
    }

    synchronized List<StoredContact> select(Predicate<StoredContact> matches) {
        return live().filter(matches).toList();
    }

    synchronized boolean delete(long contactId) {
        return contacts.remove(contactId) != null;
    }

    /** The Contact as the API shows it: live ones only. */
    synchronized Optional<Map<String, Object>> byId(long id) {
        return liveById(id).map(StoredContact::toJson);
    }

    /** The Contact as stored, merged ones included, for the sandbox's own Java view. */
    synchronized Optional<Map<String, Object>> stored(long id) {
        return Optional.ofNullable(contacts.get(id)).map(StoredContact::toJson);
    }

    synchronized Optional<Map<String, Object>> byReference(ContactReference reference) {
        return first(contact -> contact.hasReference(reference)).map(StoredContact::toJson);
    }

    synchronized Optional<Map<String, Object>> byEmail(String email) {
        return first(contact -> contact.hasEmail(email.trim())).map(StoredContact::toJson);
    }

    synchronized List<Map<String, Object>> all() {
        return contacts.values().stream().map(StoredContact::toJson).toList();
    }

    synchronized int countForReference(ContactReference reference) {
        return (int) contacts.values().stream().filter(contact -> contact.hasReference(reference)).count();
    }

    private StoredContact liveCopy(long id) {
        return liveById(id).orElseThrow(() -> new IllegalArgumentException("No live Contact " + id)).copy();
    }

    private Optional<StoredContact> liveById(long id) {
        return Optional.ofNullable(contacts.get(id)).filter(StoredContact::isLive);
    }

    private Stream<StoredContact> live() {
        return contacts.values().stream().filter(StoredContact::isLive);
    }

    private Optional<StoredContact> first(Predicate<StoredContact> matches) {
        return live().filter(matches).findFirst();
    }

    /** update-a-contact: 409 is a unique-constraint violation, "e.g., email already on another Contact". */
    private List<FieldError> conflicts(StoredContact before, StoredContact after) {
        List<FieldError> conflicts = new ArrayList<>();
        Predicate<StoredContact> other = contact -> contact.id() != after.id();
        for (ContactReference reference : after.references()) {
            if (!before.hasReference(reference) && first(other.and(contact -> contact.hasReference(reference))).isPresent()) {
                conflicts.add(new FieldError("contactReferences", "DUPLICATE",
                        "The reference " + reference.source() + "/" + reference.id() + " is already on another Contact."));
            }
        }
        for (String email : after.emails()) {
            if (!before.hasEmail(email) && first(other.and(contact -> contact.hasEmail(email))).isPresent()) {
                conflicts.add(new FieldError("email", "DUPLICATE", "The email '" + email + "' is already on another Contact."));
            }
        }
        return conflicts;
    }
}
