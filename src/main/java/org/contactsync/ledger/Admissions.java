package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;

/**
 * Intake's side of the ledger: records a validated donor, idempotent on the reference pair and the donor's content.
 * Committed before intake acknowledges anything, so an accepted donor survives a crash.
 */
public class Admissions {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.ledger");

    private final SyncLedger ledger;

    public Admissions(SyncLedger ledger) {
        this.ledger = ledger;
    }

    public Admission receive(ReferencePair reference, Map<String, Object> donor) {
        return receive(reference, donor, null).admission();
    }

    /**
     * Records the donor and, in the same commit, enlists it in the bulk load {@code loadId} (a bulk delivery's, or the
     * live path's while it coalesces; null: none) when it waits for a Contact of its own (RECEIVED, not linked).
     */
    public Admitted receive(ReferencePair reference, Map<String, Object> donor, Long loadId) {
        String donorJson = ledger.toJson(donor);
        String fingerprint = SyncLedger.fingerprint(donorJson);
        try {
            return admit(reference, donorJson, fingerprint, loadId);
        } catch (DuplicateKeyException e) {
            // another thread or node inserted the same pair between our read and our insert: its row now decides
            return admit(reference, donorJson, fingerprint, loadId);
        }
    }

    /** What {@link #receive} would make of the donor, reading the ledger and writing nothing (a preview). */
    public Foreseen foresee(ReferencePair reference, Map<String, Object> donor) {
        String fingerprint = SyncLedger.fingerprint(ledger.toJson(donor));
        return ledger.find(reference, "").map(entry -> new Foreseen(admission(entry, fingerprint), entry.state(), entry.contactId()))
                .orElse(new Foreseen(Admission.NEW, null, null));
    }

    /** The one rule for a known donor delivered again, by its state and whether its content changed. */
    private static Admission admission(LedgerEntry entry, String fingerprint) {
        boolean same = entry.fingerprint().equals(fingerprint);
        return switch (entry.state()) {
            case FAILED -> Admission.RETRY;
            case PENDING -> same ? Admission.UNCHANGED : Admission.HELD_WHILE_PENDING;
            case RECEIVED, SYNCED -> same ? Admission.UNCHANGED : Admission.CHANGED;
        };
    }

    private Admitted admit(ReferencePair reference, String donorJson, String fingerprint, Long loadId) {
        // concurrent requests' donors share one commit; each request is answered once the commit holding its donor returned
        return ledger.database().groupCommit().execute(() -> {
            OffsetDateTime now = ledger.now();
            Optional<LedgerEntry> existing = ledger.find(reference, " FOR UPDATE");
            if (existing.isEmpty()) {
                ledger.jdbc().update("INSERT INTO sync_ledger (reference_source, reference_id, state, donor_json, fingerprint, attempts, "
                        + "received_at, updated_at, bulk_load_id) VALUES (?, ?, 'RECEIVED', ?, ?, 0, ?, ?, ?)",
                        reference.referenceSource(), reference.referenceId(), donorJson, fingerprint, now, now, loadId);
                ledger.recordHistory(reference, SyncState.RECEIVED, "new donor", now);
                return new Admitted(Admission.NEW, loadId != null);
            }
            LedgerEntry entry = existing.get();
            Admission admission = admission(entry, fingerprint);
            if (admission == Admission.UNCHANGED) {
                LOG.debug("{} unchanged, {}", reference, entry.state());
                return new Admitted(admission, false);
            }
            SyncState next = admission == Admission.HELD_WHILE_PENDING ? SyncState.PENDING : SyncState.RECEIVED;
            boolean enlisted = loadId != null && next == SyncState.RECEIVED && entry.contactId() == null;
            ledger.jdbc().update("UPDATE sync_ledger SET state = ?, donor_json = ?, fingerprint = ?, "
                    + "attempts = CASE WHEN ? THEN 0 ELSE attempts END, last_error = NULL, updated_at = ?, "
                    + "bulk_load_id = CASE WHEN ? THEN ? ELSE bulk_load_id END WHERE reference_source = ? AND reference_id = ?",
                    next.name(), donorJson, fingerprint, admission == Admission.RETRY, now, enlisted, loadId, reference.referenceSource(),
                    reference.referenceId());
            String detail = admission.name().toLowerCase().replace('_', ' ');
            ledger.recordHistory(reference, next, detail + " (was " + entry.state() + ")", now);
            return new Admitted(admission, enlisted);
        });
    }

    /** What intake made of a donor: the ledger's verdict, and whether it waits in the load it was handed with. */
    public record Admitted(Admission admission, boolean enlisted) {
    }

    /** A donor's admission as {@link #foresee} sees it: the ledger's state and Contact for a known donor, nulls for a new one. */
    public record Foreseen(Admission admission, SyncState state, Long contactId) {
    }
}
