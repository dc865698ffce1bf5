package org.contactsync.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The organisation's Contacts. Every read and write holds the store's lock, so a batch import and concurrent API
 * lookups see whole Contacts, and no two Contacts can come to share a reference pair. Reads return fresh JSON maps.
 */
final class ContactStore {

    private static final String STAFF_USER = "Sandbox Staff";
    private static final String IMPORT_USER = "Contact Import";

    // Ids only grow, so insertion order is id order and "first match" means "oldest Contact".
    private final Map<Long, StoredContact> contacts = new LinkedHashMap<>();
    private final ContactImporter importer;

    ContactStore(ContactImporter importer) {
        this.importer = importer;
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
        Optional<StoredContact> match = ContactMatcher.match(transaction, contacts.values());
        StoredContact contact;
        String event;
        if (match.isPresent()) {
            contact = match.get();
            importer.merge(contact, transaction, IMPORT_USER);
            event = BatchResult.CONTACT_UPDATE;
        } else {
            contact = importer.create(transaction, IMPORT_USER);
            contacts.put(contact.id(), contact);
            event = BatchResult.CONTACT_CREATE;
        }
        BatchResult result = new BatchResult(event, contact.id(), transaction.text("referenceSource"), transaction.text("referenceId"));
        return new ImportOutcome(result, contact.toJson());
    }

    synchronized Optional<Map<String, Object>> byId(long id) {
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

    private Optional<StoredContact> first(Predicate<StoredContact> matches) {
        return contacts.values().stream().filter(matches).findFirst();
    }
}
