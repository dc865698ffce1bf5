package org.contactsync.status;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ratelimit.RateGovernor;

/**
 * The rate governor's budget over time, for the status page's chart: a sample every
 * {@code sync.status.budget-sample-period-ms}, the newest {@code sync.status.budget-samples} kept. In memory, like the
 * governor's own estimate it samples: each node has its own governor, a restart starts both afresh from Virtuous's
 * headers, and an operational chart is not worth a write per sample or a table to prune.
 */
public class BudgetHistory {

    private final RateGovernor governor;
    private final Clock clock;
    private final int size;
    private final Deque<Map<String, Object>> samples = new ArrayDeque<>();

    public BudgetHistory(RateGovernor governor, Clock clock, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("sync.status.budget-samples must be at least 1, was " + size);
        }
        this.governor = governor;
        this.clock = clock;
        this.size = size;
    }

    public void sample() {
        Map<String, Object> status = governor.status();
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("at", clock.instant().toString());
        sample.put("leftForUs", Math.max(0, (int) status.get("ourShare") - (int) status.get("spentThisWindow")));
        sample.put("ourShare", status.get("ourShare"));
        sample.put("remaining", status.get("remaining"));
        synchronized (samples) {
            samples.addLast(sample);
            if (samples.size() > size) {
                samples.removeFirst();
            }
        }
    }

    /** Oldest first. */
    public List<Map<String, Object>> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }
}
