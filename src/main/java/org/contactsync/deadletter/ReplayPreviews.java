package org.contactsync.deadletter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.intake.DonorInput;
import org.contactsync.intake.DonorValidator;
import org.contactsync.intake.ValidatedDonor;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.ReplayTokens;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.contactsync.update.ContactUpdate;
import org.contactsync.update.ContactUpdates;

/**
 * A replay that shows its diff (issue 17): which dead letters a preview covers, what each would send and what Virtuous
 * holds now, field by field, as the update path's own mapping ({@link ContactUpdates}) would write it; the token naming
 * what was shown; and, on apply, each letter claimed only when it is still as the preview saw it.
 */
public final class ReplayPreviews {

    /** The letters one preview covers at most: its Finds and GETs are paid from the hourly budget before anything is sent. */
    static final int MAX_LETTERS = 200;
    /** What a preview's letter is to a replay that would send it. */
    private static final Set<String> REPLAYABLE = Set.of("new", "link", "update");

    private final DeadLetterStore store;
    private final ReplayTokens tokens;
    private final DonorValidator validator;
    private final ContactUpdates updates;
    private final SyncLedger ledger;
    private final LetterDonors donors = new LetterDonors();
    private final ObjectMapper json = new ObjectMapper();

    public ReplayPreviews(DeadLetterStore store, ReplayTokens tokens, DonorValidator validator, ContactUpdates updates, SyncLedger ledger) {
        this.store = store;
        this.tokens = tokens;
        this.validator = validator;
        this.updates = updates;
        this.ledger = ledger;
    }

    /** The open letters a preview request names: {@code {"ids": [..]}} (one or a selection) or {@code {"reason": ".."}} (all with it). */
    public Selection select(String body) {
        JsonNode request;
        try {
            request = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the replay preview's body is not JSON: " + e.getOriginalMessage());
        }
        boolean byIds = request != null && request.has("ids");
        boolean byReason = request != null && request.hasNonNull("reason");
        if (byIds == byReason) {
            throw new IllegalArgumentException("name the dead letters to preview: {\"ids\": [1, 2]} or {\"reason\": \"...\"}, one of the two");
        }
        if (byReason) {
            List<Long> ids = store.openWithReason(request.get("reason").asText(), MAX_LETTERS + 1);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("no open dead letter has the reason " + request.get("reason"));
            }
            return new Selection(ids.subList(0, Math.min(ids.size(), MAX_LETTERS)), ids.size() > MAX_LETTERS);
        }
        Set<Long> ids = new LinkedHashSet<>();
        for (JsonNode id : request.get("ids")) {
            if (!id.canConvertToLong() || !id.isIntegralNumber()) {
                throw new IllegalArgumentException("dead letter ids are whole numbers, was " + id);
            }
            ids.add(id.asLong());
        }
        if (ids.isEmpty() || ids.size() > MAX_LETTERS) {
            throw new IllegalArgumentException("a replay preview names 1 to " + MAX_LETTERS + " dead letters, was " + ids.size());
        }
        ids.forEach(store::openLetter);
        return new Selection(List.copyOf(ids), false);
    }

    /** One letter's donor as a replay would send it through intake (validated), with the version the preview is made from. */
    public ReplayPlan plan(long letterId) {
        DeadLetterStore.Letter letter = store.openLetter(letterId);
        String version = store.replayVersion(letterId, letter);
        ValidatedDonor validated;
        try {
            validated = validator.validate(donors.input(letterId, letter, null));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new ReplayPlan(letterId, letter.reference(), letter.reason(), null, null, version, List.of(e.getMessage()));
        }
        if (!validated.isValid()) {
            return new ReplayPlan(letterId, letter.reference(), letter.reason(), null, null, version, validated.getProblems());
        }
        ReferencePair reference = validated.getReference();
        LedgerEntry known = ledger.entry(reference);
        // the lookup steps read the entry variable: the donor's row as it will be once intake took the replay
        LedgerEntry entry = known == null
                ? new LedgerEntry(reference.referenceSource(), reference.referenceId(), SyncState.RECEIVED, validated.getDonor(), null, null,
                        null, 0, null, null, null, null, null, null, null, Map.of())
                : new LedgerEntry(known.referenceSource(), known.referenceId(), known.state(), validated.getDonor(), known.fingerprint(),
                        known.contactId(), known.resolvedBy(), known.attempts(), known.lastError(), known.receivedAt(), known.submittedAt(),
                        known.syncedAt(), known.updatedAt(), known.baseline(), known.submitOutcome(), known.writeIntent());
        return new ReplayPlan(letterId, reference, letter.reason(), validated.getDonor(), entry, version, List.of());
    }

    /**
     * The letter's diff: what the replay would do and, field by field, what Virtuous holds now ({@code virtuous}) and
     * what the replay leaves there ({@code replay}). {@code contact} is what a fresh GET (a known Contact) or the lookup's
     * Finds answered, null for none; {@code relocatedFrom} the known Contact that answered 404, when the Contact holding
     * the reference pair now answered instead.
     */
    public Map<String, Object> diff(ReplayPlan plan, Map<String, Object> contact, String resolvedBy, Long relocatedFrom) {
        Map<String, Object> view = heading(plan);
        if (!plan.isValid()) {
            view.put("action", "refused");
            view.put("note", "intake would refuse it again: " + String.join("; ", plan.problems()) + ". Correct it on the platform, or "
                    + "replay it with a corrected donor (POST /sync/dead-letters/" + plan.letterId() + "/replay)");
            return view;
        }
        Long known = plan.getContactId();
        if (known != null && contact == null) {
            view.put("action", "fails");
            view.put("note", "Contact " + known + " answers 404 (merged or deleted) and no Contact holds " + plan.reference()
                    + ": the update would fail again. Discard the letter, or look for the Contact in Virtuous");
            return view;
        }
        if (contact == null) {
            view.put("action", "new");
            view.put("note", "no Contact has the reference pair" + (plan.entry().getEmail() == null ? "" : " or takes the email")
                    + ": a Contact Transaction creates one at Virtuous's next import");
            List<Map<String, Object>> sent = new ArrayList<>();
            DonorChanges.transactionPayload(plan.donor()).forEach((field, value) -> sent.add(field(field, null, value)));
            view.put("changes", sent);
            return view;
        }
        long contactId = ((Number) contact.get("id")).longValue();
        view.put("contactId", contactId);
        if (known != null) {
            view.put("action", "update");
            if (relocatedFrom != null) {
                view.put("mergedFrom", relocatedFrom);
                view.put("note", "Contact " + relocatedFrom + " answers 404 (merged into another); Contact " + contactId + " holds "
                        + plan.reference() + " now, so the diff is against it and the replay moves the donor to it");
            }
            view.put("changes", changes(contact, updates.planFor(contactId, plan.reference(), plan.entry().baseline(), plan.donor())));
            return view;
        }
        view.put("action", "link");
        view.put("resolvedBy", resolvedBy);
        // a link takes the Contact as Virtuous holds it: only what a Transaction cannot carry is written
        List<Map<String, Object>> written = changes(contact, updates.planFor(contactId, plan.reference(),
                updates.baseline(plan.donor(), resolvedBy), plan.donor()));
        Set<Object> writtenFields = new LinkedHashSet<>();
        written.forEach(change -> writtenFields.add(change.get("field")));
        List<Map<String, Object>> kept = new ArrayList<>(changes(contact, updates.planFor(contactId, plan.reference(), null, plan.donor())));
        kept.removeIf(change -> writtenFields.contains(change.get("field")));
        view.put("changes", written);
        view.put("kept", kept);
        return view;
    }

    /** A letter whose Contact could not be read (Virtuous refused, or retries ran out): left out of the token. */
    public Map<String, Object> unread(ReplayPlan plan, Throwable failure) {
        Map<String, Object> view = heading(plan);
        view.put("action", "unread");
        view.put("note", "Virtuous could not be read for it (" + failure.getMessage() + "): preview it again later");
        return view;
    }

    /** The preview's answer: each letter's diff, and the token naming the letters a confirmation would replay. */
    public Map<String, Object> answer(List<Map<String, Object>> letters, boolean more) {
        Map<Long, String> replayable = new LinkedHashMap<>();
        for (Map<String, Object> letter : letters) {
            Object version = letter.remove("version");
            if (REPLAYABLE.contains(letter.get("action"))) {
                replayable.put((Long) letter.get("id"), (String) version);
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token", replayable.isEmpty() ? null : tokens.issue(replayable));
        answer.put("count", replayable.size());
        answer.put("letters", letters);
        if (more) {
            answer.put("more", "more than " + MAX_LETTERS + " open letters have this reason: apply these, then preview again");
        }
        answer.values().removeIf(Objects::isNull);
        return answer;
    }

    private static Map<String, Object> heading(ReplayPlan plan) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", plan.letterId());
        if (plan.reference() != null) {
            view.put("referenceSource", plan.reference().referenceSource());
            view.put("referenceId", plan.reference().referenceId());
        }
        view.put("reason", plan.reason());
        view.put("version", plan.version());
        return view;
    }

    /** Field by field, where the Contact as the update would leave it differs from the Contact as read. */
    private List<Map<String, Object>> changes(Map<String, Object> contact, ContactUpdate update) {
        List<Map<String, Object>> changes = new ArrayList<>();
        compare("", json.valueToTree(contact), json.valueToTree(updates.outcome(update, contact)), changes);
        return changes;
    }

    private void compare(String path, JsonNode before, JsonNode after, List<Map<String, Object>> changes) {
        if (before != null && after != null && before.isObject() && after.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            names.forEach(name -> compare(path.isEmpty() ? name : path + "." + name, before.get(name), after.get(name), changes));
        } else if (before != null && after != null && before.isArray() && after.isArray()) {
            for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
                compare(path + "[" + i + "]", before.get(i), after.get(i), changes);
            }
        } else if (!same(before, after)) {
            changes.add(field(path, value(before), value(after)));
        }
    }

    /** Equal as JSON values: absent is null, and 7 is 7 whether it was read as an int or written as a long. */
    private static boolean same(JsonNode before, JsonNode after) {
        boolean noBefore = before == null || before.isNull();
        boolean noAfter = after == null || after.isNull();
        if (noBefore || noAfter) {
            return noBefore == noAfter;
        }
        return before.isNumber() && after.isNumber() ? before.decimalValue().compareTo(after.decimalValue()) == 0 : before.equals(after);
    }

    private Object value(JsonNode node) {
        return node == null || node.isNull() ? null : json.convertValue(node, Object.class);
    }

    private static Map<String, Object> field(String field, Object virtuous, Object replay) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("field", field);
        change.put("virtuous", virtuous);
        change.put("replay", replay);
        return change;
    }

    /** The letters a preview covers; {@code more}: the reason has more open letters than one preview takes. */
    public record Selection(List<Long> ids, boolean more) {
    }

    /**
     * One letter's replay as planned: its donor as intake would take it again ({@code donor}, null when refused, with the
     * {@code problems}), the {@code entry} the lookup steps read, and the {@code version} the preview was made from.
     */
    public record ReplayPlan(long letterId, ReferencePair reference, String reason, Map<String, Object> donor, LedgerEntry entry,
            String version, List<String> problems) {

        public boolean isValid() {
            return problems.isEmpty();
        }

        /** The Contact the ledger knows for the donor (the update path), null for a lookup or a refusal. */
        public Long getContactId() {
            return isValid() ? entry.contactId() : null;
        }
    }
}
