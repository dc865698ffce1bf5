package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of the sync ledger, as the routes and the status API see it. {@code baseline} is the donor as Virtuous last
 * took it (null before the first submit or lookup); what differs from it in {@code donor} is still to be sent.
 * {@code submitOutcome} says what became of a PENDING donor's submit: SENT (recorded before the request left, no 200
 * seen: Virtuous may hold it) or ACCEPTED. {@code writeIntent} holds, while an update is under way, the records its PUTs
 * write and the stamps of the copies they were applied to (see {@link SyncLedger#recordWrite}).
 */
public record LedgerEntry(
        String referenceSource,
        String referenceId,
        SyncState state,
        Map<String, Object> donor,
        String fingerprint,
        Long contactId,
        String resolvedBy,
        int attempts,
        String lastError,
        OffsetDateTime receivedAt,
        OffsetDateTime submittedAt,
        OffsetDateTime syncedAt,
        OffsetDateTime updatedAt,
        Map<String, Object> baseline,
        String submitOutcome,
        Map<String, String> writeIntent) {

    public ReferencePair getReference() {
        return new ReferencePair(referenceSource, referenceId);
    }

    /** The row for the status API: timestamps as ISO-8601 text, absent values left out. */
    public Map<String, Object> toView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("referenceSource", referenceSource);
        view.put("referenceId", referenceId);
        view.put("state", state.name());
        view.put("contactId", contactId);
        view.put("resolvedBy", resolvedBy);
        view.put("attempts", attempts);
        view.put("lastError", lastError);
        view.put("receivedAt", receivedAt);
        view.put("submittedAt", submittedAt);
        view.put("submitOutcome", submitOutcome);
        view.put("syncedAt", syncedAt);
        view.put("updatedAt", updatedAt);
        view.put("donor", donor);
        view.values().removeIf(Objects::isNull);
        view.replaceAll((key, value) -> value instanceof OffsetDateTime time ? time.toString() : value);
        return view;
    }

    /** Whether Virtuous answered this donor's submit with 200; false when it may or may not hold it. */
    public boolean isSubmitAccepted() {
        return SyncLedger.ACCEPTED.equals(submitOutcome);
    }

    /** The donor's email, for the routes' ${variable.entry.email}. */
    public String getEmail() {
        Object email = donor.get("email");
        return email == null ? null : email.toString();
    }
}
