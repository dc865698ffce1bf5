package org.contactsync.update;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.ReferencePair;

/**
 * One donor's changes, sorted by where each lands in Virtuous: the Contact record (PUT /api/Contact/{id}), its primary
 * ContactAddress (PUT /api/ContactAddress/{id}), or the archive endpoints. Fields with no Contact counterpart (event
 * attendance, email lists, custom objects, volunteer hours) are only recorded: a Contact update cannot carry them.
 *
 * @param contactId the Contact to change
 * @param baseline  the donor as Virtuous last took it
 * @param donor     the donor as it is now; what the ledger records as applied once the update is done
 * @param changes   field to new value, as {@link DonorChanges#between} found them
 * @param interrupted what an earlier attempt, cut off by a crash, was about to write: record ("contact:7") to the
 *                  modifiedDateTimeUtc of the copy it had read (the ledger's write intent); empty when none was
 */
public record ContactUpdate(long contactId, ReferencePair reference, Map<String, Object> baseline, Map<String, Object> donor,
        Map<String, Object> changes, Map<String, String> interrupted) {

    public ContactUpdate(long contactId, ReferencePair reference, Map<String, Object> baseline, Map<String, Object> donor,
            Map<String, Object> changes) {
        this(contactId, reference, baseline, donor, changes, Map.of());
    }

    static final Set<String> RECORD_FIELDS = Set.of("name", "contactType");
    static final Set<String> INDIVIDUAL_FIELDS = Set.of("title", "firstName", "middleName", "lastName", "suffix", "gender",
            "birthMonth", "birthDay", "birthYear");
    static final Set<String> METHOD_FIELDS = Set.of("email", "emailType", "phone", "phoneType");
    /** The donor's own reference pair (a Contact found by email lacks it) and its other references. */
    static final Set<String> REFERENCE_FIELDS = Set.of("contactReferences", "referenceSource", "referenceId");
    static final Set<String> LIST_FIELDS = Set.of("tags", "customFields");
    static final Set<String> ADDRESS_FIELDS = Set.of("address1", "address2", "city", "state", "postal", "country");

    public boolean isContactChange() {
        return changes.keySet().stream().anyMatch(ContactUpdate::onRecord);
    }

    public boolean isAddressChange() {
        return changes.keySet().stream().anyMatch(ADDRESS_FIELDS::contains);
    }

    /** True to archive, false to unarchive, null when the donor's archived flag did not change. */
    public Boolean getArchive() {
        return (Boolean) changes.get("archived");
    }

    /** Whether Virtuous is to be read at all: the archive endpoints need nothing read first. */
    public boolean isReadNeeded() {
        return isContactChange() || isAddressChange();
    }

    /** The changed fields, for the log and the donor's history. */
    public String summary() {
        List<String> ignored = changes.keySet().stream().filter(field -> !applies(field)).toList();
        String applied = String.join(", ", changes.keySet().stream().filter(ContactUpdate::applies).toList());
        return (applied.isEmpty() ? "nothing Virtuous can take" : applied)
                + (ignored.isEmpty() ? "" : "; not on a Contact, so only recorded: " + String.join(", ", ignored));
    }

    private static boolean onRecord(String field) {
        return RECORD_FIELDS.contains(field) || INDIVIDUAL_FIELDS.contains(field) || METHOD_FIELDS.contains(field) || LIST_FIELDS.contains(field)
                || REFERENCE_FIELDS.contains(field);
    }

    private static boolean applies(String field) {
        return onRecord(field) || ADDRESS_FIELDS.contains(field) || field.equals("archived");
    }
}
