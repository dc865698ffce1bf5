package org.contactsync.status;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.contactsync.bulk.BulkLoads;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ratelimit.RateGovernor;

/**
 * {@code GET /sync/status}: donors by state at the top level (as it always answered), the API budget as the rate
 * governor sees it, and the newest bulk loads with their progress.
 */
public class SyncStatus {

    private final SyncLedger ledger;
    private final RateGovernor governor;
    private final BulkLoads bulkLoads;

    public SyncStatus(SyncLedger ledger, RateGovernor governor, BulkLoads bulkLoads) {
        this.ledger = ledger;
        this.governor = governor;
        this.bulkLoads = bulkLoads;
    }

    public Map<String, Object> view() throws SQLException {
        Map<String, Object> view = new LinkedHashMap<>();
        ledger.countsByState().forEach((state, count) -> view.put(state.name(), count));
        view.put("budget", governor.status());
        view.put("bulkLoads", bulkLoads.status());
        return view;
    }
}
