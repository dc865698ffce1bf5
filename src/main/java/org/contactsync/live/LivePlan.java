package org.contactsync.live;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.contactsync.bulk.BulkLoads;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.ratelimit.RateGovernor.Lane;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the live path submits its new donors one by one (a Find by reference, a Find by email, a Contact Transaction:
 * up to 3 requests each) or coalesces them into Contact Batch chunks (one request per sync.batch.size donors), and how
 * long each lane's waiting work will take at the current budget.
 * <p>It coalesces once new donors wait (RECEIVED, not linked to a Contact) and they, with as many more as this node's
 * intake recorded in the last {@code sync.live.max-delay} (expected in the next at the same pace: the backlog alone
 * looks small while Batches keep draining it), could not all be served one by one within {@code sync.live.max-delay}
 * at the budget the rate governor plans with, and goes back to one by one once they would fit within half of it (so a
 * backlog near the limit does not flip the mode at every check). Either way a tenth of the bundle's share of a window
 * is planned as kept for the Batches: one by one, donors may not count on it.
 * While coalescing a new donor spends a Find only from the window's surplus ({@link #grantFinds}): the Batch import
 * matches by reference, then email, phone, name and address itself, so whatever a Find would have found the import
 * finds too, and the donor is linked to that Contact when the import's webhook resolves it, not duplicated. A Find
 * buys only an earlier link, so it may not take requests the Batches and the other lanes need, nor wait a window for
 * budget (docs/virtuous.md, "Coalescing").
 */
public class LivePlan {

    /** How the live path submits new donors. */
    public enum Mode { SINGLE, COALESCING }

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.live");
    /** The most a new donor costs one by one: Find by reference, Find by email, Contact Transaction. */
    static final int SINGLE_COST = 3;
    /**
     * The most a coalescing donor granted Finds costs: by reference, by email, and the GET and PUT that give a Contact
     * found by email the donor's reference pair. Found, it is linked; not, it joins the Batch.
     */
    private static final int FIND_COST = 4;
    /** The variable intake sets on a new donor it granted Finds while coalescing. */
    public static final String FINDS_GRANTED = "findsGranted";
    /** One tenth of the share is kept for the Batches (see the class comment). */
    private static final int RESERVE_PARTS = 10;

    private final SyncDatabase database;
    private final BulkLoads loads;
    private final RateGovernor governor;
    private final Clock clock;
    private final Duration maxDelay;
    private final int grantsPerCheck;

    private final Arrivals arrivals;
    /** The new donors that may still be granted Finds while coalescing: the window's surplus as of the last check, in donors. */
    private final AtomicInteger findAllowance = new AtomicInteger();
    /** The new donors granted Finds whose consumer has not taken them yet. */
    private final AtomicInteger waitingForFinds = new AtomicInteger();
    private volatile State state;
    private volatile Snapshot snapshot = new Snapshot(0, new EnumMap<>(Lane.class), new EnumMap<>(Lane.class));

    /**
     * {@code maxDelay}: sync.live.max-delay; {@code consumers}: sync.concurrency, twice which is the most donors granted
     * Finds per check, so what the consumers have not yet spent of a check's grants stays small.
     */
    public LivePlan(SyncDatabase database, BulkLoads loads, RateGovernor governor, Clock clock, Duration maxDelay, int consumers) {
        if (maxDelay.isZero() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("sync.live.max-delay must be above 0, was " + maxDelay);
        }
        this.database = database;
        this.loads = loads;
        this.governor = governor;
        this.clock = clock;
        this.maxDelay = maxDelay;
        this.grantsPerCheck = 2 * consumers;
        this.arrivals = new Arrivals(maxDelay);
        this.state = new State(Mode.SINGLE, null, "the bundle started: new donors go one by one", clock.instant(), 0);
    }

    /**
     * Reads the waiting work from the ledger and the budget from the governor, and switches the mode when the rule says
     * so (one INFO line with why). The live-mode timer calls it every sync.bulk.period-ms.
     */
    public synchronized void evaluate() {
        Snapshot now = measure();
        snapshot = now;
        State current = state;
        long arrived = arrivals.within(clock.instant(), maxDelay);
        long oneByOne = requestsOneByOne(now.backlog() + arrived);
        Duration wait = governor.waitFor(saturated(oneByOne + reserve()));
        String demand = String.format(Locale.ROOT, "%,d new donors waiting, and %,d more expected in the next %s at the pace of the last, need %,d requests one by one",
                now.backlog(), arrived, BulkLoads.human(maxDelay), oneByOne);
        if (current.mode() == Mode.SINGLE && now.backlog() > 0 && wait.compareTo(maxDelay) > 0) {
            long load = loads.openLive();
            switchTo(new State(Mode.COALESCING, load, String.format(Locale.ROOT,
                    "%s, which the budget allows in about %s, beyond sync.live.max-delay (%s): they go in Contact Batch chunks (bulk load %d)",
                    demand, BulkLoads.human(wait), BulkLoads.human(maxDelay), load), clock.instant(), current.switches() + 1));
        } else if (current.mode() == Mode.COALESCING && wait.compareTo(maxDelay.dividedBy(2)) <= 0) {
            loads.closeLive();
            switchTo(new State(Mode.SINGLE, null, String.format(Locale.ROOT,
                    "%s, which fit within half of sync.live.max-delay (about %s): one by one again", demand, BulkLoads.human(wait)),
                    clock.instant(), current.switches() + 1));
        }
        if (state.mode() == Mode.SINGLE) {
            findAllowance.set(0);
            waitingForFinds.set(0);
            return;
        }
        // granted donors still queued for their Finds have spent nothing yet: their requests are planned too
        int planned = now.requests().values().stream().mapToInt(Integer::intValue).sum() + waitingForFinds.get() * FIND_COST;
        findAllowance.set(Math.min(Math.max(0, governor.availableNow() - planned - reserve()) / FIND_COST, grantsPerCheck));
    }

    /** Intake recorded a donor never seen before: it counts in the pace new donors arrive at. */
    public void arrived() {
        arrivals.add(clock.instant());
    }

    /**
     * For a new donor the live path took (the {@code entry} variable): sets {@code liveMode} (single or coalescing),
     * {@code liveLoad} (the load a coalesced donor joins) and {@code findsPay}: whether it spends the Finds it needs (one
     * by one, or coalescing when intake granted them) or goes straight into the Batch (the import matches it as a Find would).
     */
    public void plan(Exchange exchange) {
        State current = state;
        exchange.setVariable("liveMode", current.mode().name().toLowerCase(Locale.ROOT));
        exchange.setVariable("liveLoad", current.load());
        boolean granted = exchange.getVariable(FINDS_GRANTED, false, Boolean.class);
        if (granted) {
            waitingForFinds.getAndUpdate(waiting -> Math.max(0, waiting - 1));
        }
        exchange.setVariable("findsPay", current.mode() == Mode.SINGLE || granted);
    }

    /**
     * While coalescing, takes the Finds of one new donor from the window's surplus: what the share still allows beyond
     * the Batches and the other lanes' waiting work, the Finds already granted and the tenth kept for the Batches, as of
     * the last check, for at most twice sync.concurrency donors a check and queued at once (so they never queue deep, a
     * trickle donor among them, and consumers slower than intake cannot spend the Batches' budget on Finds). Such a
     * donor goes to the consumers ({@value #FINDS_GRANTED} set), which link it at once when a Find finds its Contact and
     * otherwise add it to the live load; the Finds never wait for budget the Batches need. A granted donor a full queue
     * dropped counts as queued until the path next goes one by one: it costs Finds to others, never budget.
     */
    public synchronized boolean grantFinds() {
        if (findAllowance.get() == 0 || waitingForFinds.get() >= grantsPerCheck) {
            return false;
        }
        findAllowance.decrementAndGet();
        waitingForFinds.incrementAndGet();
        return true;
    }

    /** Gives back a grant of {@link #grantFinds} intake did not use: the donor was not new, or not recorded. */
    public synchronized void returnFinds() {
        findAllowance.incrementAndGet();
        waitingForFinds.getAndUpdate(waiting -> Math.max(0, waiting - 1));
    }

    /** The live load new donors join while the path coalesces (intake enlists them as it records them); null one by one. */
    public Long coalescingLoad() {
        return state.load();
    }

    /**
     * The coalesced donor joins the live load. Its claim is this exchange's, so nothing else moves it meanwhile; a donor
     * the ledger no longer holds as RECEIVED and unlinked is left as it is.
     */
    public void coalesce(Exchange exchange) {
        loads.enlist(exchange.getVariable("liveLoad", Long.class), exchange.getVariable("entry", LedgerEntry.class).getReference());
    }

    /** For {@code GET /sync/status}: the mode and why, the backlog, and each lane's waiting work with its ETA. */
    public Map<String, Object> status() {
        State current = state;
        Snapshot now = snapshot;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("mode", current.mode().name().toLowerCase(Locale.ROOT));
        view.put("why", current.why());
        view.put("since", current.since().toString());
        view.put("switches", current.switches());
        view.put("backlog", now.backlog());
        view.put("findsAffordable", findAllowance.get());
        view.put("maxDelaySeconds", maxDelay.toSeconds());
        Duration live = now.eta().getOrDefault(Lane.LIVE, Duration.ZERO);
        view.put("summary", now.backlog() == 0 ? "live backlog: none" : String.format(Locale.ROOT, "live backlog: %,d donors, %s, all submitted in ~%s",
                now.backlog(), current.mode() == Mode.SINGLE ? "one by one" : "coalescing", BulkLoads.human(live)));
        Map<String, Object> lanes = new LinkedHashMap<>();
        for (Lane lane : Lane.values()) {
            Map<String, Object> work = new LinkedHashMap<>();
            work.put("requests", now.requests().getOrDefault(lane, 0));
            work.put("etaSeconds", now.eta().getOrDefault(lane, Duration.ZERO).toSeconds());
            lanes.put(lane.name().toLowerCase(Locale.ROOT), work);
        }
        view.put("lanes", lanes);
        return view;
    }

    /** The lane's ETA in seconds, as of the last check (the metric virtuous_sync_lane_eta_seconds). */
    public double etaSeconds(Lane lane) {
        return snapshot.eta().getOrDefault(lane, Duration.ZERO).toSeconds();
    }

    /**
     * How long a coalesced donor may wait for its chunk to fill before the chunk goes anyway: a quarter of
     * sync.live.max-delay, leaving the rest for the budget's wait and the Batch itself.
     */
    public Duration chunkRipe() {
        return maxDelay.dividedBy(4);
    }

    private void switchTo(State next) {
        state = next;
        LOG.info("live path {}: {}", next.mode() == Mode.SINGLE ? "one by one" : "coalescing", next.why());
    }

    /**
     * The lanes' waiting work: the new live donors (one by one, 3 requests each; coalescing, their Batches), the polls
     * waiting at the governor, and the Batches of the bulk loads' donors not yet sent.
     */
    private Snapshot measure() {
        long[] counts = new long[3];
        database.jdbc().query("SELECT b.live, COUNT(*) FROM sync_ledger l LEFT JOIN bulk_load b ON b.id = l.bulk_load_id "
                + "WHERE l.state = 'RECEIVED' AND l.contact_id IS NULL GROUP BY b.live", row -> {
                    Object live = row.getObject(1);
                    counts[live == null ? 0 : Boolean.TRUE.equals(row.getBoolean(1)) ? 1 : 2] += row.getLong(2);
                });
        long single = counts[0];
        long coalesced = counts[1];
        long backlog = single + coalesced;
        Map<Lane, Integer> requests = new EnumMap<>(Lane.class);
        requests.put(Lane.LIVE, saturated(state.mode() == Mode.SINGLE ? requestsOneByOne(single) + loads.chunks(coalesced) : loads.chunks(backlog)));
        Object waiting = governor.status().get("waiting");
        requests.put(Lane.POLL, waiting instanceof Map<?, ?> lanes && lanes.get(Lane.POLL) instanceof Integer polls ? polls : 0);
        requests.put(Lane.BULK, loads.chunks(counts[2]));
        return new Snapshot(backlog, requests, governor.eta(requests));
    }

    private int reserve() {
        return Math.max(1, governor.shareOfWindow() / RESERVE_PARTS);
    }

    private static long requestsOneByOne(long donors) {
        return donors * SINGLE_COST;
    }

    private static int saturated(long requests) {
        return (int) Math.min(Integer.MAX_VALUE, requests);
    }

    /** The mode, the live load coalesced donors join (null one by one), why, since when, and how many switches so far. */
    private record State(Mode mode, Long load, String why, Instant since, long switches) {
    }

    /**
     * How many new donors intake recorded in the last while, counted per second in a ring of as many seconds as
     * sync.live.max-delay (at most an hour's), so a surge of thousands a second costs no memory.
     */
    static final class Arrivals {

        private final long[] seconds;
        private final long[] counts;

        Arrivals(Duration span) {
            int size = (int) Math.min(3_600, Math.max(1, span.toSeconds())) + 1;
            seconds = new long[size];
            counts = new long[size];
            Arrays.fill(seconds, Long.MIN_VALUE);
        }

        synchronized void add(Instant at) {
            long second = at.getEpochSecond();
            int slot = (int) Math.floorMod(second, (long) seconds.length);
            if (seconds[slot] != second) {
                seconds[slot] = second;
                counts[slot] = 0;
            }
            counts[slot]++;
        }

        /** The donors counted in the {@code span} up to {@code now} (whole seconds, the current one included). */
        synchronized long within(Instant now, Duration span) {
            long from = now.getEpochSecond() - Math.min(span.toSeconds(), seconds.length - 1);
            long total = 0;
            for (int slot = 0; slot < seconds.length; slot++) {
                if (seconds[slot] >= from && seconds[slot] <= now.getEpochSecond()) {
                    total += counts[slot];
                }
            }
            return total;
        }
    }

    /** The waiting work as of the last check. */
    private record Snapshot(long backlog, Map<Lane, Integer> requests, Map<Lane, Duration> eta) {
    }
}
