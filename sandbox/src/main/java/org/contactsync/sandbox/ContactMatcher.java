package org.contactsync.sandbox;

import java.util.Collection;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The nightly batch's matching, in the documented priority order: external reference, then email, then phone, then
 * first and last name together with street line and postal code. A criterion the payload has no data for is skipped.
 */
final class ContactMatcher {

    private ContactMatcher() {
    }

    static Optional<StoredContact> match(ContactTransaction transaction, Collection<StoredContact> contacts) {
        return byReference(transaction, contacts)
                .or(() -> byEmail(transaction, contacts))
                .or(() -> byPhone(transaction, contacts))
                .or(() -> byNameAndAddress(transaction, contacts));
    }

    private static Optional<StoredContact> byReference(ContactTransaction transaction, Collection<StoredContact> contacts) {
        ContactReference reference = transaction.reference();
        return reference == null ? Optional.empty() : first(contacts, contact -> contact.hasReference(reference));
    }

    private static Optional<StoredContact> byEmail(ContactTransaction transaction, Collection<StoredContact> contacts) {
        String email = transaction.text("email");
        return email == null ? Optional.empty() : first(contacts, contact -> contact.hasEmail(email));
    }

    private static Optional<StoredContact> byPhone(ContactTransaction transaction, Collection<StoredContact> contacts) {
        String digits = MatchKeys.digits(transaction.text("phone"));
        return digits.isEmpty() ? Optional.empty() : first(contacts, contact -> contact.hasPhone(digits));
    }

    private static Optional<StoredContact> byNameAndAddress(ContactTransaction transaction, Collection<StoredContact> contacts) {
        String firstName = MatchKeys.text(transaction.text("firstName"));
        String lastName = MatchKeys.text(transaction.text("lastName"));
        if (firstName.isEmpty() || lastName.isEmpty() || transaction.text("address1") == null || transaction.text("postal") == null) {
            return Optional.empty();
        }
        return first(contacts, contact ->
                contact.individuals().stream().anyMatch(individual -> individual.isNamed(firstName, lastName))
                        && contact.addresses().stream().anyMatch(address -> address.sameAs(transaction)));
    }

    private static Optional<StoredContact> first(Collection<StoredContact> contacts, Predicate<StoredContact> matches) {
        return contacts.stream().filter(matches).findFirst();
    }
}
