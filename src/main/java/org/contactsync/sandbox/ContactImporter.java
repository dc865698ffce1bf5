package org.contactsync.sandbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns flat Transaction payloads into Contacts. Creating is merging into an empty Contact: a merge only fills what is
 * blank and adds what is missing (reference, email, phone, address, tags), the "add" choice of the Import tool's
 * Update Needed review, and never overwrites staff-entered data.
 */
final class ContactImporter {

    // Separate, distinct ranges make a mixed-up id (an individual's id used as a Contact's) fail loudly with a 404.
    private final AtomicLong contactIds = new AtomicLong(1000);
    private final AtomicLong individualIds = new AtomicLong(200_000);
    private final AtomicLong addressIds = new AtomicLong(400_000);
    private final AtomicLong contactMethodIds = new AtomicLong(600_000);
    private final SandboxSettings settings;

    ContactImporter(SandboxSettings settings) {
        this.settings = settings;
    }

    StoredContact create(ContactTransaction transaction, String user) {
        Instant now = settings.now();
        StoredContact contact = new StoredContact(contactIds.incrementAndGet(),
                transaction.textOr("contactType", ContactTypes.HOUSEHOLD), new Audit(now, user));
        contact.individuals().add(new StoredIndividual(individualIds.incrementAndGet(), contact.id(), true, new Audit(now, user)));
        absorb(contact, transaction, now, user);
        return contact;
    }

    void merge(StoredContact contact, ContactTransaction transaction, String user) {
        Instant now = settings.now();
        absorb(contact, transaction, now, user);
        contact.touch(now, user);
    }

    private void absorb(StoredContact contact, ContactTransaction transaction, Instant now, String user) {
        contact.fillBlankName(displayName(transaction));
        ContactReference reference = transaction.reference();
        if (reference != null) {
            contact.addReference(reference);
        }
        StoredIndividual individual = contact.primaryIndividual();
        individual.fillBlanks(transaction, LocalDate.ofInstant(now, ZoneOffset.UTC));
        String email = transaction.text("email");
        if (email != null && !contact.hasEmail(email)) {
            addContactMethod(individual, StoredContactMethod.Kind.EMAIL, transaction.textOr("emailType", "Home Email"), email, now, user);
        }
        String phone = transaction.text("phone");
        if (phone != null && !contact.hasPhone(MatchKeys.digits(phone))) {
            addContactMethod(individual, StoredContactMethod.Kind.PHONE, transaction.textOr("phoneType", "Home Phone"), phone, now, user);
        }
        absorbAddress(contact, transaction, now, user);
        transaction.tags().forEach(contact::addTag);
        transaction.customFields().forEach(contact::fillBlankCustomField);
    }

    private void addContactMethod(StoredIndividual individual, StoredContactMethod.Kind kind, String type, String value,
                                  Instant now, String user) {
        boolean primary = !individual.hasMethodOfKind(kind);
        individual.addContactMethod(new StoredContactMethod(contactMethodIds.incrementAndGet(), kind, type, value, primary, new Audit(now, user)));
    }

    private void absorbAddress(StoredContact contact, ContactTransaction transaction, Instant now, String user) {
        if (!StoredAddress.hasAddress(transaction)) {
            return;
        }
        StoredAddress address = contact.addresses().stream().filter(known -> known.sameAs(transaction)).findFirst().orElseGet(() -> {
            StoredAddress added = new StoredAddress(addressIds.incrementAndGet(), contact.addresses().isEmpty(), new Audit(now, user));
            contact.addresses().add(added);
            return added;
        });
        address.fillBlanks(transaction);
    }

    /** {@code name} for organisations, "firstName lastName" for people; null when the payload names nobody. */
    private static String displayName(ContactTransaction transaction) {
        String name = transaction.text("name");
        if (name != null) {
            return name;
        }
        String person = (transaction.textOr("firstName", "") + " " + transaction.textOr("lastName", "")).trim();
        return person.isEmpty() ? null : person;
    }
}
