package org.contactsync.drift;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.DriftHolds;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.virtuous.VirtuousRequests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the mapping assumes about the organisation, checked against the organisation: the Contact Type, email type and
 * phone type the settings give donors, the custom fields donors carry, and the Query condition the reconciliation
 * filters on. A check reads the four lists ({@link OrganisationList}); a value the settings name that a list lacks is a
 * drift of that setting, and so is a value donors carry that an earlier check found and this one does not (renamed or
 * removed). A value never seen in the organisation is the donor's own error, not drift: Virtuous refuses it and the
 * donor goes to the dead letter as before. A donor that would carry a drifted value is held ({@link DriftHolds}), not
 * submitted; the next check that finds the value again lets it go. Until a list has been read, nothing is held for it.
 * The values seen are kept in memory, so after a restart a donor's renamed value is drift again only once a check has
 * seen it; the settings' values are checked from the first check on.
 */
public class DriftGuard {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.drift");
    /** The setting the reconciliation's Query depends on: below it, the poll never asks a Query. */
    static final String QUERY_SETTING = "sync.poll.query-min";

    /** A donor field whose values are one list's, and the setting that gives donors its value when they have none. */
    private record Field(String name, OrganisationList list, String setting, String configured) {
    }

    /** A value the organisation lacks: {@code setting} is a bundle setting, or the donor field that carried it. */
    public record Drift(String setting, String value, OrganisationList list) {

        public String message() {
            return setting + ": '" + value + "' is not a " + list.item() + " of the organisation (" + list.endpoint() + ")";
        }

        Map<String, Object> toView() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("setting", setting);
            view.put("value", value);
            view.put("list", list.endpoint());
            view.put("message", message());
            return view;
        }
    }

    private final List<Field> fields;
    private final DriftHolds holds;
    private final Clock clock;
    private final BiConsumer<String, BooleanSupplier> gauge;
    private final Map<OrganisationList, Set<String>> current = new EnumMap<>(OrganisationList.class);
    private final Map<OrganisationList, Set<String>> seen = new EnumMap<>(OrganisationList.class);
    private final Map<OrganisationList, String> unreadable = new EnumMap<>(OrganisationList.class);
    /** Values donors carried that the organisation no longer has, found while deciding whether to hold them. */
    private final Set<Drift> carried = ConcurrentHashMap.newKeySet();
    /** The drifts a log line announced, so each gets one line when found and one when gone. */
    private final Set<Drift> reported = ConcurrentHashMap.newKeySet();
    private Instant checkedAt;

    /**
     * @param gauge registers the {@code drift} gauge of one setting (1 while drifted) with the bundle's metrics
     */
    public DriftGuard(String contactType, String emailType, String phoneType, DriftHolds holds, Clock clock,
            BiConsumer<String, BooleanSupplier> gauge) {
        this.fields = List.of(new Field("contactType", OrganisationList.CONTACT_TYPES, "sync.default-contact-type", contactType),
                new Field("emailType", OrganisationList.CONTACT_METHOD_TYPES, "sync.default-email-type", emailType),
                new Field("phoneType", OrganisationList.CONTACT_METHOD_TYPES, "sync.default-phone-type", phoneType));
        this.holds = holds;
        this.clock = clock;
        this.gauge = gauge;
        for (OrganisationList list : OrganisationList.values()) {
            seen.put(list, new HashSet<>());
        }
    }

    /** One list as this check read it. */
    public synchronized void read(OrganisationList list, Object answer) {
        Set<String> names = list.names(answer);
        if (names == null) {
            unreadable(list, answer == null ? "no answer (404 or an empty body)" : "an answer that is not a list");
            return;
        }
        current.put(list, Set.copyOf(names));
        seen.get(list).addAll(names);
        unreadable.remove(list);
    }

    /** One list this check could not read: what an earlier check read of it still counts. */
    public synchronized void unreadable(OrganisationList list, String why) {
        unreadable.put(list, why);
        LOG.warn("organisation check: {} could not be read ({}); {}", list.endpoint(), why,
                current.containsKey(list) ? "the last list read still counts" : "nothing is held for it until it can be");
    }

    /**
     * The check is complete: one log line per drift found or gone since the last, the gauges registered, and the held
     * donors that no longer carry a drifted value released. Returns those, for the live queue.
     */
    public List<ReferencePair> checked() {
        Set<Drift> now;
        synchronized (this) {
            checkedAt = clock.instant();
            now = new LinkedHashSet<>(drifts());
            now.forEach(this::announce);
            for (Drift drift : List.copyOf(reported)) {
                if (!now.contains(drift) && reported.remove(drift)) {
                    LOG.info("organisation drift resolved: {} '{}' is a {} of the organisation again", drift.setting(), drift.value(), drift.list().item());
                }
            }
        }
        registerGauges();
        List<ReferencePair> released = new ArrayList<>();
        for (LedgerEntry entry : holds.held()) {
            String reason = reason(entry);
            if (reason == null) {
                if (holds.release(entry.getReference(), "the organisation has the values it carries again")) {
                    released.add(entry.getReference());
                }
            } else {
                holds.hold(entry.getReference(), reason);
            }
        }
        if (!released.isEmpty()) {
            LOG.info("organisation check: {} held donor(s) released, queued for sync", released.size());
        }
        return released;
    }

    /**
     * Why the donor must wait (every drifted value it would carry to Virtuous, with the setting or field that gives
     * it), or null when it may go: a new donor's whole payload, or what an update of its known Contact writes.
     */
    public String reason(LedgerEntry entry) {
        return reason(entry.contactId() == null ? entry.donor() : updated(entry));
    }

    /**
     * The chunk a bulk or live worker claimed, without the donors that would carry a drifted value: those are held
     * (their claim given up with the hold), never sent.
     */
    public BulkChunk withoutHeld(BulkChunk chunk) {
        List<LedgerEntry> sent = new ArrayList<>();
        for (LedgerEntry entry : chunk.donors()) {
            String why = reason(entry);
            if (why == null || !holds.hold(entry.getReference(), why)) {
                sent.add(entry);
            }
        }
        return sent.size() == chunk.donors().size() ? chunk : new BulkChunk(chunk.loadId(), chunk.referenceSource(), List.copyOf(sent));
    }

    /**
     * What an update of the donor's known Contact writes: the changed fields, and a changed email's or phone's type with
     * it (the update writes the method with its type); the Contact's own values, which the PUT sends back as read, are
     * Virtuous's and are not the donor's to hold.
     */
    private static Map<String, Object> updated(LedgerEntry entry) {
        Map<String, Object> written = new LinkedHashMap<>(DonorChanges.between(entry.baseline(), entry.donor()));
        if (written.containsKey("email")) {
            written.putIfAbsent("emailType", entry.donor().get("emailType"));
        }
        if (written.containsKey("phone")) {
            written.putIfAbsent("phoneType", entry.donor().get("phoneType"));
        }
        return written;
    }

    private String reason(Map<String, Object> donor) {
        List<String> reasons = new ArrayList<>();
        for (Field field : fields) {
            Object value = donor.get(field.name());
            if (value instanceof String text && isDrifted(field.list(), text, text.equals(field.configured()))) {
                reasons.add(drift(text.equals(field.configured()) ? field.setting() : field.name(), text, field.list()).message());
            }
        }
        if (donor.get("customFields") instanceof Map<?, ?> customFields) {
            for (Object name : customFields.keySet()) {
                if (isDrifted(OrganisationList.CUSTOM_FIELDS, name.toString(), false)) {
                    reasons.add(drift("customFields." + name, name.toString(), OrganisationList.CUSTOM_FIELDS).message());
                }
            }
        }
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    /** Whether the reconciliation may ask its Contact Query: false while the organisation has no such condition. */
    public synchronized boolean queryUsable() {
        Set<String> options = current.get(OrganisationList.QUERY_OPTIONS);
        return options == null || options.contains(VirtuousRequests.LAST_MODIFIED);
    }

    /** Every drift now: the settings' values, the Query's condition, and the values donors carried. */
    public synchronized List<Drift> drifts() {
        List<Drift> drifts = new ArrayList<>();
        for (Field field : fields) {
            if (isDrifted(field.list(), field.configured(), true)) {
                drifts.add(new Drift(field.setting(), field.configured(), field.list()));
            }
        }
        if (!queryUsable()) {
            drifts.add(new Drift(QUERY_SETTING, VirtuousRequests.LAST_MODIFIED, OrganisationList.QUERY_OPTIONS));
        }
        carried.removeIf(drift -> !isDrifted(drift.list(), drift.value(), false));
        drifts.addAll(carried);
        return drifts;
    }

    /** For {@code GET /sync/status} and readiness: when the organisation was last checked, what drifted, who waits. */
    public synchronized Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("checkedAt", checkedAt == null ? null : checkedAt.toString());
        view.put("drift", drifts().stream().map(Drift::toView).toList());
        Map<String, String> notRead = new LinkedHashMap<>();
        unreadable.forEach((list, why) -> notRead.put(list.endpoint(), why));
        view.put("unreadable", notRead);
        Map<String, Object> held = holds.byReason();
        view.put("heldDonors", held.values().stream().mapToLong(count -> ((Number) count).longValue()).sum());
        view.put("heldByReason", held);
        return view;
    }

    private synchronized boolean isDrifted(OrganisationList list, String value, boolean assumed) {
        Set<String> names = current.get(list);
        return names != null && !names.contains(value) && (assumed || seen.get(list).contains(value));
    }

    private Drift drift(String setting, String value, OrganisationList list) {
        Drift drift = new Drift(setting, value, list);
        if (fields.stream().noneMatch(field -> field.setting().equals(setting)) && carried.add(drift)) {
            gauge.accept(setting, () -> isDriftedSetting(setting));
            announce(drift);
        }
        return drift;
    }

    private void announce(Drift drift) {
        if (reported.add(drift)) {
            LOG.warn("organisation drift: {}; {} until the organisation has it again", drift.message(), drift.setting().equals(QUERY_SETTING)
                    ? "the poll asks for each donor by reference, without the Contact Query," : "donors that would carry it are held");
        }
    }

    private void registerGauges() {
        for (Field field : fields) {
            gauge.accept(field.setting(), () -> isDriftedSetting(field.setting()));
        }
        gauge.accept(QUERY_SETTING, () -> isDriftedSetting(QUERY_SETTING));
        for (Drift drift : carried) {
            gauge.accept(drift.setting(), () -> isDriftedSetting(drift.setting()));
        }
    }

    private boolean isDriftedSetting(String setting) {
        return drifts().stream().anyMatch(drift -> drift.setting().equals(setting));
    }
}
