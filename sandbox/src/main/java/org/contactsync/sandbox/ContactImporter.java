package org.contactsync.sandbox;

import java.time.Instant;

/**
 * Turns flat Transaction payloads into Contacts. Creating is merging into an empty Contact: a merge only fills what is
 * blank and adds what is missing (reference, email, phone, address, tags), the "add" choice of the Import tool's
 * Update Needed review, and never overwrites staff-entered data.
 */
final class ContactImporter {

    private final SandboxSettings settings;
    private final RecordIds ids;

    ContactImporter(SandboxSettings settings, RecordIds ids) {
        this.settings = settings;
        this.ids = ids;
    }

    StoredContact create(ContactTransaction transaction, String user) {
        Instant now = settings.now();
        StoredContact contact = new StoredContact(ids.nextContact(),
                transaction.textOr("contactType", ContactTypes.HOUSEHOLD), Audit.createdAt(now, user));
        absorb(contact, transaction, now, user);
        return contact;
    }

    void merge(StoredContact contact, ContactTransaction transaction, String user) {
        Instant now = settings.now();
        absorb(contact, transaction, now, user);
        contact.touch(now, user);
    }

    private void absorb(StoredContact contact, ContactTransaction transaction, Instant now, String user) {
        contact.fillBlankNames(displayName(transaction), transaction.text("firstName"));
        ContactReference reference = transaction.reference();
        if (reference != null) {
            contact.addReference(reference);
        }
        StoredIndividual individual = contact.primaryIndividual().orElseGet(() -> addPrimaryIndividual(contact, now, user));
        individual.fillBlanks(transaction, now);
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

    private StoredIndividual addPrimaryIndividual(StoredContact contact, Instant now, String user) {
        StoredIndividual individual = new StoredIndividual(ids.nextIndividual(), contact.id(), Audit.createdAt(now, user));
        individual.fields().set("isPrimary", true);
        contact.individuals().add(individual);
        return individual;
    }

    private void addContactMethod(StoredIndividual individual, StoredContactMethod.Kind kind, String type, String value,
                                  Instant now, String user) {
        StoredContactMethod method = new StoredContactMethod(ids.nextContactMethod(), Audit.createdAt(now, user));
        method.fields().set("type", type);
        method.fields().set("value", value);
        method.fields().set("isPrimary", !individual.hasMethodOfKind(kind));
        individual.contactMethods().add(method);
    }

    private void absorbAddress(StoredContact contact, ContactTransaction transaction, Instant now, String user) {
        if (!StoredAddress.hasAddress(transaction)) {
            return;
        }
        StoredAddress address = contact.addresses().stream().filter(known -> known.sameAs(transaction)).findFirst().orElseGet(() -> {
            StoredAddress added = new StoredAddress(ids.nextAddress(), Audit.createdAt(now, user));
            added.primary(contact.addresses().isEmpty());
            // A year-round home address: labels and seasonal ranges are only set in the UI.
            added.fields().set("label", "Home");
            added.fields().set("startMonth", 1);
            added.fields().set("startDay", 1);
            added.fields().set("endMonth", 12);
            added.fields().set("endDay", 31);
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
