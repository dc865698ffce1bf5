package org.contactsync.bulk;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.contactsync.ledger.BulkChunk;
import org.contactsync.ledger.Leases;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;

/**
 * Bulk loads: a delivery of more donors than {@code sync.bulk.threshold} is recorded in the ledger first, then sent to
 * {@code POST /api/Contact/Batch} {@code sync.batch.size} donors at a time by the bulk worker. Progress is read from the
 * ledger (a donor is done once it is no longer RECEIVED), so it survives a restart, and is logged after every chunk.
 */
public class BulkLoads {

    private static final Logger LOG = LoggerFactory.getLogger("contact-sync.bulk");
    /** How many of the newest loads the status API shows. */
    private static final int SHOWN = 10;
    /** The origin of a load the live path opened while coalescing. */
    public static final String LIVE_ORIGIN = "live path (coalesced)";
    /** A pause in the live path's arrivals after which a partial chunk waits for no more donors (when the budget allows it now). */
    static final Duration LULL = Duration.ofSeconds(1);

    private final SyncDatabase database;
    private final Leases leases;
    private final RateGovernor governor;
    private final Clock clock;
    private final int batchSize;
    /** The live path's load while it coalesces; null while it submits one by one. */
    private volatile Long openLive;

    public BulkLoads(SyncDatabase database, Leases leases, RateGovernor governor, Clock clock, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("sync.batch.size must be at least 1, was " + batchSize);
        }
        this.database = database;
        this.leases = leases;
        this.governor = governor;
        this.clock = clock;
        this.batchSize = batchSize;
    }

    /**
     * At start, before any intake runs: a load whose intake a stop interrupted is sent with the donors that reached the
     * ledger (its file, still in the inbox, is read again as a new delivery; donors already recorded are unchanged there).
     */
    public void recover() {
        int recovered = jdbc().update("UPDATE bulk_load SET ready_at = ? WHERE ready_at IS NULL", now());
        if (recovered > 0) {
            LOG.info("{} bulk load(s) whose intake was interrupted are sent with the donors the ledger holds", recovered);
        }
    }

    /** A new load for a delivery of {@code donors} donors; they are enlisted one by one as intake records them. */
    public long open(String origin, int donors) {
        long id = insert(origin, donors);
        LOG.info("bulk load {} ({}): {} donors, each recorded in the ledger before any is sent", id, origin, donors);
        return id;
    }

    private long insert(String origin, int donors) {
        KeyHolder key = new GeneratedKeyHolder();
        jdbc().update(connection -> {
            PreparedStatement insert = connection.prepareStatement("INSERT INTO bulk_load (origin, donors, chunks, opened_at) VALUES (?, ?, 0, ?)",
                    new String[] {"id"});
            insert.setString(1, SyncLedger.toColumn(origin));
            insert.setInt(2, donors);
            insert.setObject(3, now());
            return insert;
        }, key);
        return key.getKey().longValue();
    }

    /** Whether the donor waits in the load ({@code loadId} null: the delivery is not a bulk load). See {@link Leases#enlist}. */
    public boolean enlist(Long loadId, ReferencePair reference) {
        return loadId != null && leases.enlist(reference, loadId);
    }

    /** Intake has recorded every donor of the load: the worker may send it. Logs what it will cost and how long the budget makes it wait. */
    public void ready(long loadId) {
        jdbc().update("UPDATE bulk_load SET ready_at = ? WHERE id = ?", now(), loadId);
        Progress load = progress(loadId);
        if (load.waiting() == 0) {
            finish(load);
            return;
        }
        int chunks = chunks(load.waiting());
        Duration wait = governor.waitFor(chunks);
        LOG.info("bulk load {} ({}): {} donors to submit in {} Batch request(s) of up to {}; at the current budget {}", loadId,
                load.origin(), load.waiting(), chunks, batchSize, wait.isZero() ? "they go now, without waiting"
                        : "they wait about " + human(wait) + " for it (our share: " + governor.status().get("ourShare") + " requests an hour)");
    }

    /**
     * A load for the live path's donors while it coalesces: ready at once, sent by the live worker, with every new donor
     * already waiting that no one holds (in the queue, or left by a full queue for the redrive) and each new donor intake
     * records from now on. It is not finished while open, however often its worker empties it.
     */
    public synchronized long openLive() {
        long id = insert(LIVE_ORIGIN, 0);
        OffsetDateTime now = now();
        jdbc().update("UPDATE bulk_load SET live = TRUE, ready_at = ? WHERE id = ?", now, id);
        int waiting = jdbc().update("UPDATE sync_ledger SET bulk_load_id = ? WHERE state = 'RECEIVED' AND contact_id IS NULL AND bulk_load_id IS NULL "
                + "AND (claimed_until IS NULL OR claimed_until < ?)", id, now);
        LOG.info("bulk load {} ({}): {} new donors waiting join it", id, LIVE_ORIGIN, waiting);
        openLive = id;
        return id;
    }

    /** The live path has stopped coalescing: its load takes no more donors, and is finished once none waits. */
    public synchronized void closeLive() {
        Long id = openLive;
        openLive = null;
        if (id != null && progress(id).waiting() == 0) {
            finish(progress(id));
        }
    }

    /** The next chunk for the bulk worker, claimed for its exchange; empty when no ready load has donors left. */
    public BulkChunk nextChunk(String exchangeId) {
        return next(exchangeId, false);
    }

    /**
     * The next chunk of the live path's coalesced donors, for the live worker, as {@link #nextChunk}: once a whole chunk
     * waits, once the oldest of them was received {@code ripe} ago, or once none has joined for {@link #LULL} and the
     * budget lets a Batch go at once. A Batch costs one request however few donors it carries, so a chunk fills while
     * its oldest donor still has time and donors keep coming; empty until then.
     */
    public BulkChunk nextLiveChunk(String exchangeId, Duration ripe) {
        OffsetDateTime now = now();
        boolean due = jdbc().queryForObject("SELECT COUNT(*), MIN(l.received_at), MAX(l.updated_at) FROM sync_ledger l JOIN bulk_load b ON b.id = l.bulk_load_id "
                + "WHERE b.live = TRUE AND l.state = 'RECEIVED' AND l.contact_id IS NULL AND (l.claimed_until IS NULL OR l.claimed_until < ?)",
                (row, number) -> row.getLong(1) >= batchSize || row.getLong(1) > 0 && (!row.getObject(2, OffsetDateTime.class).isAfter(now.minus(ripe))
                        || !row.getObject(3, OffsetDateTime.class).isAfter(now.minus(LULL)) && governor.waitFor(1).isZero()), now);
        return due ? next(exchangeId, true) : BulkChunk.none();
    }

    /** The Batch requests {@code donors} donors need. */
    public int chunks(long donors) {
        return (int) ((donors + batchSize - 1) / batchSize);
    }

    private BulkChunk next(String exchangeId, boolean live) {
        BulkChunk chunk = leases.claimBulkChunk(batchSize, exchangeId, live);
        if (!chunk.isEmpty()) {
            jdbc().update("UPDATE bulk_load SET started_at = ? WHERE id = ? AND started_at IS NULL", now(), chunk.loadId());
        }
        return chunk;
    }

    /** After a chunk: counts it, logs the load's progress, and closes the load once none of its donors waits. */
    public void progress(BulkChunk chunk) {
        jdbc().update("UPDATE bulk_load SET chunks = chunks + 1 WHERE id = ?", chunk.loadId());
        Progress load = progress(chunk.loadId());
        if (load.waiting() == 0 && !Objects.equals(openLive, chunk.loadId())) {
            finish(load);
        } else {
            LOG.info("bulk load {} ({}): {}/{} donors submitted ({}%), {} donors/s, ETA {}", load.id(), load.origin(), load.done(),
                    load.total(), load.done() * 100 / load.total(), String.format("%.1f", load.donorsPerSecond()), human(eta(load)));
        }
    }

    /** The newest loads, for the status API. */
    public List<Map<String, Object>> status() {
        List<Long> ids = jdbc().queryForList("SELECT id FROM bulk_load ORDER BY id DESC LIMIT ?", Long.class, SHOWN);
        List<Map<String, Object>> loads = new ArrayList<>();
        for (long id : ids) {
            Progress load = progress(id);
            loads.add(load.toView(load.finishedAt() == null ? eta(load) : null));
        }
        return loads;
    }

    private void finish(Progress load) {
        if (jdbc().update("UPDATE bulk_load SET finished_at = ? WHERE id = ? AND finished_at IS NULL", now(), load.id()) == 0) {
            return;
        }
        LOG.info("bulk load {} ({}) done: {} donors submitted, {} in the dead letter, {} Batch request(s){}", load.id(), load.origin(),
                load.total() - load.failed(), load.failed(), load.chunks(),
                load.startedAt() == null ? "" : ", " + human(Duration.between(load.startedAt(), now())));
    }

    private Progress progress(long loadId) {
        Map<SyncState, Long> counts = leases.countsInLoad(loadId);
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        return jdbc().queryForObject("SELECT origin, live, chunks, started_at, finished_at FROM bulk_load WHERE id = ?", (row, number) ->
                new Progress(loadId, row.getString("origin"), row.getBoolean("live"), total, counts.get(SyncState.RECEIVED), counts.get(SyncState.FAILED),
                        row.getInt("chunks"), row.getObject("started_at", OffsetDateTime.class),
                        row.getObject("finished_at", OffsetDateTime.class), now()), loadId);
    }

    private JdbcTemplate jdbc() {
        return database.jdbc();
    }

    /** The later of the pace so far and the budget's wait for the chunks left. */
    private Duration eta(Progress load) {
        Duration budget = governor.waitFor(chunks(load.waiting()));
        Duration pace = load.atPace();
        return budget.compareTo(pace) > 0 ? budget : pace;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }

    /** {@code 2h05m}, {@code 3m20s}, {@code 42s}. */
    public static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds >= 3600) {
            return String.format("%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }

    /** One load as the ledger sees it at {@code now}. */
    private record Progress(long id, String origin, boolean live, long total, long waiting, long failed, int chunks, OffsetDateTime startedAt,
            OffsetDateTime finishedAt, OffsetDateTime now) {

        long done() {
            return total - waiting;
        }

        double donorsPerSecond() {
            if (startedAt == null) {
                return 0;
            }
            long millis = Math.max(1, Duration.between(startedAt, finishedAt == null ? now : finishedAt).toMillis());
            return done() * 1000.0 / millis;
        }

        /** How long the donors left take at the pace so far (zero before the first chunk: no pace yet). */
        Duration atPace() {
            double rate = donorsPerSecond();
            return rate <= 0 ? Duration.ZERO : Duration.ofMillis((long) (waiting * 1000 / rate));
        }

        /** {@code eta} null for a finished load. */
        Map<String, Object> toView(Duration eta) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", id);
            view.put("origin", origin);
            // sent by the live worker: donors that arrived one by one while the live path coalesced
            view.put("live", live);
            view.put("total", total);
            view.put("done", done());
            view.put("failed", failed);
            view.put("batchRequests", chunks);
            view.put("donorsPerSecond", Math.round(donorsPerSecond() * 10) / 10.0);
            view.put("etaSeconds", eta == null ? null : eta.toSeconds());
            view.put("startedAt", startedAt == null ? null : startedAt.toString());
            view.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
            view.values().removeIf(Objects::isNull);
            return view;
        }
    }
}
