package org.contactsync.status;

import java.util.LinkedHashMap;
import java.util.Map;

import org.contactsync.alert.OverdueAlerts;
import org.contactsync.bulk.BulkLoads;
import org.contactsync.drift.DriftGuard;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.live.LivePlan;
import org.contactsync.poll.PendingPolicy;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.webhook.WebhookInbox;

/**
 * {@code GET /sync/status}: donors by state at the top level (as it always answered), the oldest PENDING donors, the API
 * budget as the rate governor sees it now and over time, the newest bulk loads with their progress, the webhook
 * events whose Contact waits to be read from Virtuous, the organisation's drift (what it lacks, the donors held for it),
 * the donors overdue (PENDING past sync.pending.warn-after), and the live path's mode with each lane's ETA.
 */
public class SyncStatus {

    /** How many of the oldest PENDING donors the status shows. */
    private static final int OLDEST_SHOWN = 10;

    private final LedgerViews ledger;
    private final PendingPolicy pendingPolicy;
    private final RateGovernor governor;
    private final BudgetHistory budgetHistory;
    private final BulkLoads bulkLoads;
    private final WebhookInbox webhookInbox;
    private final DriftGuard drift;
    private final OverdueAlerts overdue;
    private final LivePlan livePlan;

    public SyncStatus(LedgerViews ledger, PendingPolicy pendingPolicy, RateGovernor governor, BudgetHistory budgetHistory,
            BulkLoads bulkLoads, WebhookInbox webhookInbox, DriftGuard drift, OverdueAlerts overdue, LivePlan livePlan) {
        this.drift = drift;
        this.ledger = ledger;
        this.pendingPolicy = pendingPolicy;
        this.governor = governor;
        this.budgetHistory = budgetHistory;
        this.bulkLoads = bulkLoads;
        this.webhookInbox = webhookInbox;
        this.overdue = overdue;
        this.livePlan = livePlan;
    }

    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        ledger.countsByState().forEach((state, count) -> view.put(state.name(), count));
        view.put("oldestPending", pendingPolicy.oldest(OLDEST_SHOWN));
        view.put("budget", governor.status());
        view.put("budgetHistory", budgetHistory.samples());
        view.put("bulkLoads", bulkLoads.status());
        view.put("webhookReadsWaiting", webhookInbox.waiting());
        view.put("drift", drift.view());
        view.put("overdue", overdue.view());
        view.put("livePath", livePlan.status());
        return view;
    }
}
