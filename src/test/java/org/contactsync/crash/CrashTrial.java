package org.contactsync.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * One crash trial of a real process (the "crash tests of a real process"): the Virtuous sandbox in a process
 * that outlives the bundle, the bundle in a JVM of its own, donors sent over HTTP (two client threads, as a platform
 * posts them) and in one bulk CSV file dropped into the inbox, webhooks delivered by the sandbox's import, and the
 * bundle killed with SIGKILL at chosen moments, then restarted on the same directory, database and port. At the end it
 * stops killing, lets everything settle and checks what the bundle promised:
 *
 * <ol>
 *     <li>every accepted donor (its POST got a 202, or its file left the inbox for .done/) is in the ledger, SYNCED,
 *     PENDING, or FAILED with a dead letter giving the reason;</li>
 *     <li>no reference pair was taken twice by Virtuous (Contact Transactions and Batch items, counted by the sandbox);</li>
 *     <li>no acknowledged webhook was lost: a donor whose Contact the sandbox delivered with a 2xx answer ends SYNCED;</li>
 *     <li>no two Contacts carry the same reference pair;</li>
 *     <li>what is left PENDING, and whether Virtuous holds or held its submission;</li>
 * </ol>
 * and, for the donors posted again with a change, that the change accepted is in the ledger and reached the Contact.
 *
 * <p>One seed drives every choice a trial makes (the moments and kinds of the kills, the delays before them, the donors
 * updated, the moment of the file drop, the sandbox's random faults), and it is printed first, so a failing trial replays
 * with the same plan. The processes' own timing still varies from run to run. Every process a trial starts is killed by
 * the time {@link #run()} returns or throws.
 */
public final class CrashTrial {

    static final String SOURCE = "PartnerPlatform";
    /** The bundle's log line for a state change (README: one line per change, naming the pair and the new state). */
    private static final Pattern STATE_CHANGE = Pattern.compile(" - (\\S+:\\S+) -> (RECEIVED|PENDING|SYNCED|FAILED): ");
    /** The pending poll fires every this many seconds (a Quartz cron on the wall clock: 0, 3, 6, ...). */
    private static final int POLL_SECONDS = 3;
    private static final Duration CLIENT_PATIENCE = Duration.ofMinutes(3);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** The bundle's wait for an answer (camel.component.http.response-timeout): a withheld one is given up after it. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * What the organisation's other integrations leave of the hour for MID_LIVE_CHUNK: ample for the step's requests, and
     * far fewer than the tenth of the bundle's share (250,000 of 10,000,000 × 0.25) that the live path does not count on one
     * by one, so a single new donor waiting makes it coalesce (LivePlan).
     */
    private static final int LIVE_CHUNK_BUDGET = 10_000;
    /** The most donors MID_LIVE_CHUNK posts one by one before it gives up on the live path coalescing. */
    private static final int LIVE_CHUNK_MAX_ALONE = 60;
    private static final String[] FIRST_NAMES = {"Ada", "Grace", "Mary", "Katherine", "Dorothy", "Hedy", "Rosalind", "Lise", "Emmy", "Chien-Shiung"};
    private static final String[] LAST_NAMES = {"Lovelace", "Hopper", "Somerville", "Johnson", "Vaughan", "Lamarr", "Franklin", "Meitner", "Noether", "Wu"};

    /** Where a kill lands. */
    public enum Kill {
        /** Right after a POST /donors got its 202: the donor must already be durable. */
        AFTER_202,
        /** While a bulk file's chunks are sent with POST /api/Contact/Batch (or, once in three, while the file is read). */
        MID_BULK,
        /** Just after the pending poll fired, with donors PENDING. */
        MID_POLL,
        /** While the sandbox's import delivers its webhooks to the bundle. */
        MID_WEBHOOK,
        /** While changed donors go down the update path (GET-then-PUT of their Contact). */
        MID_UPDATE,
        /**
         * While the live path coalesces (the organisation's budget short for the rest of the hour): the sandbox has taken a
         * Batch of new live donors and withholds its answer.
         */
        MID_LIVE_CHUNK
    }

    /**
     * What a trial does. {@code donorsPerSecond} paces the live feed (0: as fast as the clients go), so live intake
     * overlaps the kills as a platform's steady traffic would; {@code kills} 0 with a {@code faultRate} is the no-crash run.
     */
    public record Plan(long seed, TrialDatabase database, int liveDonors, int bulkDonors, int updates, int kills, double faultRate,
                       int clients, int donorsPerSecond, long sandboxLatencyMillis, boolean webhookReferences, int bulkThreshold,
                       int batchSize, Duration settleTimeout) {

        /** A crash trial on H2: 150 live donors, a 110-donor file, 10 updates, 3 kills. */
        public static Plan of(long seed) {
            return new Plan(seed, TrialDatabase.H2, 150, 110, 10, 3, 0, 2, 30, 20, true, 100, 25, Duration.ofSeconds(60));
        }

        public Plan donors(int live, int bulk, int changed) {
            return new Plan(seed, database, live, bulk, changed, kills, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, settleTimeout);
        }

        public Plan kills(int count) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, count, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, settleTimeout);
        }

        /** Each Virtuous request faulted with this probability (reset, timeout, 500 after handling, 503 before). */
        public Plan faults(double rate) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, kills, rate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, settleTimeout);
        }

        public Plan on(TrialDatabase on) {
            return new Plan(seed, on, liveDonors, bulkDonors, updates, kills, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, settleTimeout);
        }

        public Plan pace(int perSecond) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, kills, faultRate, clients, perSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, settleTimeout);
        }

        /**
         * Off: the sandbox delivers Contacts without contactReferences, the envelope seen from a production receiver
         * (virtuous-api.md §4.2), so every event goes through the bundle's stored events and a read of its Contact.
         */
        public Plan webhookReferences(boolean included) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, kills, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, included, bulkThreshold, batchSize, settleTimeout);
        }

        /**
         * A file of more than {@code threshold} donors is a bulk load (sync.bulk.threshold, 100 by default), sent in
         * Batches of {@code size} (sync.batch.size; 25 here, so that a file makes several chunks to kill among).
         */
        public Plan bulkLoads(int threshold, int size) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, kills, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences,
                    threshold, size, settleTimeout);
        }

        public Plan settleWithin(Duration timeout) {
            return new Plan(seed, database, liveDonors, bulkDonors, updates, kills, faultRate, clients, donorsPerSecond, sandboxLatencyMillis, webhookReferences, bulkThreshold, batchSize, timeout);
        }

        /** The kinds of the kills, in order: every kind, shuffled by the seed, repeated as often as needed. */
        public List<Kill> killKinds() {
            List<Kill> kinds = new ArrayList<>(List.of(Kill.values()));
            Collections.shuffle(kinds, new Random(seed));
            List<Kill> plan = new ArrayList<>();
            for (int i = 0; i < kills; i++) {
                plan.add(kinds.get(i % kinds.size()));
            }
            return plan;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "seed=%d on %s: %d live donors (%d/s), a %d-donor file (bulk over %d, Batches of %d), %d updates, "
                            + "%d kills %s, faults %.0f %%%s",
                    seed, database.label(), liveDonors, donorsPerSecond, bulkDonors, bulkThreshold, batchSize, updates, kills, killKinds(), faultRate * 100,
                    webhookReferences ? "" : ", webhooks without contactReferences");
        }
    }

    record Donor(String referenceId, String firstName, String lastName, String email) {

        Map<String, Object> json() {
            return Map.of("referenceId", referenceId, "firstName", firstName, "lastName", lastName, "email", email);
        }

        String pair() {
            return SOURCE + ":" + referenceId;
        }

        Donor changed() {
            return new Donor(referenceId, firstName, lastName + "-Changed", email);
        }
    }

    private final Plan plan;
    /** Every choice of the plan; drawn in the same order whatever the processes' timing, so a seed replays its plan. */
    private final Random random;
    /** The donors' names, apart: probe donors are made only when a step needs them, which depends on timing. */
    private final Random names;
    private final String prefix;
    private final List<Donor> live = new ArrayList<>();
    private final List<Donor> bulk = new ArrayList<>();
    private final List<Donor> toUpdate = new ArrayList<>();
    /** Every donor the trial sends, by reference id, in the version last sent. */
    private final Map<String, Donor> sent = new ConcurrentHashMap<>();
    /** Accepted donors by reference id, in the version last accepted. */
    private final Map<String, Donor> accepted = new ConcurrentHashMap<>();
    private final Map<String, Donor> updatesAccepted = new ConcurrentHashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    /** What is allowed but worth reading: the dead letters and their reasons. */
    private final List<String> notes = new ArrayList<>();
    private final List<TrialResult.KillRecord> kills = new ArrayList<>();
    private final AtomicInteger liveAccepted = new AtomicInteger();
    private final AtomicInteger probes = new AtomicInteger();
    private volatile boolean aborting;
    private boolean bulkDropped;
    private long startedNanos;
    private long dropNanos;
    private Path directory;
    private SandboxProcess sandbox;
    private BundleProcess bundle;

    public CrashTrial(Plan plan) {
        this.plan = plan;
        this.random = new Random(plan.seed());
        this.names = new Random(~plan.seed());
        this.prefix = "t" + Long.toString(Math.abs(plan.seed()), 36);
        for (int i = 0; i < plan.liveDonors(); i++) {
            live.add(donor(prefix + "-L" + i));
        }
        for (int i = 0; i < plan.bulkDonors(); i++) {
            bulk.add(donor(prefix + "-B" + i));
        }
        // updates go to donors posted early, which are the likeliest to be SYNCED by the time their change is sent
        List<Donor> early = new ArrayList<>(live.subList(0, Math.min(live.size(), Math.max(plan.updates(), live.size() / 2))));
        Collections.shuffle(early, random);
        toUpdate.addAll(early.subList(0, Math.min(plan.updates(), early.size())));
    }

    public Plan plan() {
        return plan;
    }

    /** Runs the trial; a trial that cannot run (a process that does not start) throws, its processes killed. */
    public TrialResult run() throws Exception {
        log("starting: " + plan);
        startedNanos = System.nanoTime();
        directory = Files.createTempDirectory("crash-trial-" + prefix + "-");
        ExecutorService clients = Executors.newFixedThreadPool(plan.clients() + 1, daemon("crash-client"));
        boolean clean = false;
        try (TrialDatabase.Instance database = plan.database().start(directory);
             SandboxProcess virtuous = SandboxProcess.start(directory, sandboxArguments());
             BundleProcess node = new BundleProcess(directory, virtuous.baseUrl(), bundleSettings(database), database.environment(),
                     bundleJvmOptions())) {
            sandbox = virtuous;
            bundle = node;
            bundle.start();
            log("bundle up on " + bundle.baseUrl() + ", sandbox on " + sandbox.baseUrl() + ", directory " + directory);
            List<Future<?>> feeds = startFeed(clients);
            List<Kill> kinds = plan.killKinds();
            int dropBefore = kinds.contains(Kill.MID_BULK) ? -1 : random.nextInt(kinds.size() + 1);
            int updateKills = (int) kinds.stream().filter(kind -> kind == Kill.MID_UPDATE).count();
            int updatesPerKill = updateKills == 0 ? 0 : Math.max(1, toUpdate.size() / (updateKills + 1));
            List<Donor> updates = new ArrayList<>(toUpdate);
            for (int k = 0; k < kinds.size(); k++) {
                if (k == dropBefore) {
                    dropBulk();
                }
                Kill kind = kinds.get(k);
                List<Donor> batch = kind == Kill.MID_UPDATE ? take(updates, updatesPerKill) : List.of();
                kill(kind, k, batch);
            }
            if (!bulkDropped) {
                if (kinds.isEmpty()) {
                    int threshold = random.nextInt(Math.max(1, plan.liveDonors()));
                    awaitQuietly("live donors accepted before the file drop", () -> liveAccepted.get() >= threshold);
                }
                dropBulk();
            }
            postUpdates(updates);
            for (Future<?> feed : feeds) {
                try {
                    feed.get(CLIENT_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException stuck) {
                    violations.add("FEED a client did not get all its donors accepted within " + CLIENT_PATIENCE);
                }
            }
            awaitBulkAccepted();
            boolean settled = settle();
            TrialResult result = check(settled);
            clean = result.clean();
            log(result.summary());
            if (!clean) {
                Files.writeString(directory.resolve("violations.txt"), result.report(Integer.MAX_VALUE) + "\n");
            }
            return result;
        } finally {
            aborting = true;
            clients.shutdownNow();
            if (clean) {
                delete(directory);
            } else {
                log("kept " + directory + " (violations.txt, bundle-N.log for each incarnation, sandbox.log, sandbox-state.json, an H2 database)");
            }
        }
    }

    /**
     * C1 only and the serial collector: a trial restarts the JVM once per kill, and these start it in about half the
     * time; with the class-data-sharing archive (StartupArchive), faster still. A trial measures what survives, not
     * throughput.
     */
    private static List<String> bundleJvmOptions() {
        List<String> options = new ArrayList<>(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        options.addAll(StartupArchive.jvmOptions());
        return options;
    }

    private List<String> sandboxArguments() {
        List<String> arguments = new ArrayList<>(List.of("--api-key", BundleProcess.API_KEY, "--batch-interval-seconds", "2",
                "--rate-limit-per-hour", "10000000", "--latency-ms", String.valueOf(plan.sandboxLatencyMillis()),
                "--webhook-references", String.valueOf(plan.webhookReferences())));
        if (plan.faultRate() > 0) {
            // the hold outlasts the bundle's 2 s response timeout, so the answer is never seen
            arguments.addAll(List.of("--fault-rate", String.valueOf(plan.faultRate()), "--fault-seed", String.valueOf(random.nextLong()),
                    "--fault-hold-ms", "3000"));
        }
        return arguments;
    }

    /** Short timings, so that a trial's polls, redrives, deadlines and lease expiries happen within seconds. */
    private Map<String, String> bundleSettings(TrialDatabase.Instance database) {
        Map<String, String> settings = new LinkedHashMap<>(database.properties());
        settings.put("sync.cluster.node-name", "crash-trial");
        settings.put("sync.poll.cron", "0/" + POLL_SECONDS + " * * * * ?");
        settings.put("sync.poll.after", "1s");
        // a submit a fault left unanswered and that Virtuous never took is sent again at the deadline: with a fifth of the
        // requests faulted a donor can be reset twice in a row, so the fault run's deadline is short enough for two rounds
        settings.put("sync.pending.deadline", plan.faultRate() > 0 ? "10s" : "30s");
        settings.put("sync.redrive.period-ms", "1000");
        settings.put("sync.claim-lease-seconds", "6");
        settings.put("sync.claim-renew-ms", "2000");
        settings.put("sync.bulk.threshold", String.valueOf(plan.bulkThreshold()));
        settings.put("sync.batch.size", String.valueOf(plan.batchSize()));
        // also how often the live path's mode is checked: MID_LIVE_CHUNK posts donors until a check finds one waiting
        settings.put("sync.bulk.period-ms", "250");
        settings.put("sync.webhook.read-period-ms", "1000");
        settings.put("sync.retry.max-redeliveries", "5");
        settings.put("sync.retry.initial-delay-ms", "100");
        settings.put("sync.retry.max-delay-ms", "1000");
        settings.put("camel.component.http.connect-timeout", "1000");
        settings.put("camel.component.http.response-timeout", String.valueOf(RESPONSE_TIMEOUT.toMillis()));
        settings.put("camel.component.http.so-timeout", String.valueOf(RESPONSE_TIMEOUT.toMillis()));
        settings.put("virtuous.rate.limit-per-hour", "10000000");
        // a budget short for the rest of the hour makes the live path coalesce (MID_LIVE_CHUNK); its chunks go within 0.5 s
        settings.put("sync.live.max-delay", "2s");
        settings.put("virtuous.circuit.open-for-ms", "1000");
        settings.put("virtuous.auth.probe-interval-ms", "1000");
        return settings;
    }

    // ---- the feed ----

    private List<Future<?>> startFeed(ExecutorService clients) {
        long feedStart = System.nanoTime();
        List<Future<?>> feeds = new ArrayList<>();
        for (int c = 0; c < plan.clients(); c++) {
            int client = c;
            feeds.add(clients.submit(() -> {
                for (int i = client; i < live.size(); i += plan.clients()) {
                    pace(feedStart, i);
                    if (deliver(live.get(i))) {
                        liveAccepted.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        return feeds;
    }

    /**
     * Donor i is due at i / donorsPerSecond after the feed started: the platform's traffic, not a wait for a condition.
     * A client that fell behind (the bundle was down) catches up at once, as a platform's backlog does.
     */
    private void pace(long feedStart, int i) throws InterruptedException {
        if (plan.donorsPerSecond() > 0) {
            long due = feedStart + TimeUnit.SECONDS.toNanos(i) / plan.donorsPerSecond();
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }

    /**
     * Posts the donor until it is accepted (202) or refused (400), as a platform does: a refused connection, a reset,
     * a timeout or another status means the bundle is down or starting, so it waits for the bundle to answer and
     * sends again. Returns whether it was accepted.
     */
    private boolean deliver(Donor donor) {
        sent.put(donor.referenceId(), donor);
        long giveUp = System.nanoTime() + CLIENT_PATIENCE.toNanos();
        while (!aborting && System.nanoTime() < giveUp) {
            try {
                TrialHttp.Response response = bundle.postDonor(donor.json());
                if (response.status() == 202) {
                    accepted.put(donor.referenceId(), donor);
                    return true;
                }
                if (response.status() == 400) {
                    violations.add("REJECTED " + donor.pair() + ": POST /donors answered 400 " + response.body());
                    return false;
                }
            } catch (IOException down) {
                // refused, reset or timed out: the bundle is down, or was killed with this request in hand
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                await().pollDelay(Duration.ofMillis(200)).pollInterval(Duration.ofMillis(200)).atMost(CLIENT_PATIENCE)
                        .until(() -> aborting || bundle.answers());
            } catch (ConditionTimeoutException neverBack) {
                break;
            }
        }
        if (!aborting) {
            violations.add("FEED " + donor.pair() + " was never accepted within " + CLIENT_PATIENCE);
        }
        return false;
    }

    private Donor probe(String kind) {
        return donor(prefix + "-" + kind + probes.incrementAndGet());
    }

    private void dropBulk() throws IOException {
        if (bulk.isEmpty()) {
            bulkDropped = true;
            return;
        }
        Path staging = Files.createDirectories(directory.resolve("staging")).resolve(bulkFileName());
        StringBuilder csv = new StringBuilder("referenceId,firstName,lastName,email\n");
        for (Donor donor : bulk) {
            csv.append(donor.referenceId()).append(',').append(donor.firstName()).append(',').append(donor.lastName()).append(',')
                    .append(donor.email()).append('\n');
            sent.put(donor.referenceId(), donor);
        }
        Files.writeString(staging, csv);
        Files.createDirectories(bundle.inbox());
        // one rename: the file consumer never sees half a file
        Files.move(staging, bundle.inbox().resolve(bulkFileName()), StandardCopyOption.ATOMIC_MOVE);
        bulkDropped = true;
        dropNanos = System.nanoTime();
        log("dropped " + bulkFileName() + " (" + bulk.size() + " donors) at " + elapsed() + " ms");
    }

    private String bulkFileName() {
        return "bulk-" + prefix + ".csv";
    }

    /** The bulk file's donors count as accepted once the file has left the inbox for .done/. */
    private void awaitBulkAccepted() {
        if (bulk.isEmpty()) {
            return;
        }
        String outcome = awaitQuietly("the bulk file to leave the inbox", () -> !Files.exists(bundle.inbox().resolve(bulkFileName()))
                && (inFolder(".done") || inFolder(".failed"))) ? (inFolder(".done") ? "done" : "failed") : "still in the inbox";
        if (outcome.equals("done")) {
            bulk.forEach(donor -> accepted.put(donor.referenceId(), donor));
        } else {
            violations.add("BULK " + bulkFileName() + " " + outcome + ": its " + bulk.size() + " donors were never accepted");
        }
    }

    private boolean inFolder(String folder) {
        Path path = bundle.inbox().resolve(folder);
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> files = Files.list(path)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(bulkFileName()));
        } catch (IOException e) {
            return false;
        }
    }

    private void postUpdates(List<Donor> donors) {
        for (Donor donor : donors) {
            postUpdate(donor);
        }
    }

    /**
     * Once the donor is SYNCED, posts it again with a changed last name: the update path. A donor that does not get
     * there (lost, dead-lettered: the checks report it) gets no change. Returns whether the change was accepted.
     */
    private boolean postUpdate(Donor donor) {
        // accepted first (its client may not have posted it yet), then SYNCED, or lost or dead-lettered
        awaitQuietly(donor.pair() + " SYNCED before its change", () -> accepted.containsKey(donor.referenceId())
                && List.of("SYNCED", "FAILED", "absent").contains(state(donor)));
        String state = state(donor);
        if (!state.equals("SYNCED")) {
            log("no change sent for " + donor.pair() + ": it is " + state);
            return false;
        }
        Donor changed = donor.changed();
        if (deliver(changed)) {
            updatesAccepted.put(changed.referenceId(), changed);
            return true;
        }
        return false;
    }

    // ---- the kills ----

    private void kill(Kill kind, int k, List<Donor> updates) throws Exception {
        String detail = switch (kind) {
            case AFTER_202 -> after202();
            case MID_BULK -> midBulk();
            case MID_POLL -> midPoll();
            case MID_WEBHOOK -> midWebhook();
            case MID_UPDATE -> midUpdate(updates);
            case MID_LIVE_CHUNK -> midLiveChunk();
        };
        long at = elapsed();
        log("kill " + (k + 1) + " (" + kind + ") at " + at + " ms: " + detail + "; restarting");
        kills.add(new TrialResult.KillRecord(kind, at, detail));
        bundle.start();
    }

    private String after202() {
        int threshold = random.nextInt(Math.max(1, plan.liveDonors()));
        awaitQuietly("live donors accepted", () -> liveAccepted.get() >= threshold);
        Donor probe = probe("K");
        if (!deliver(probe)) {
            bundle.kill();
            return "the probe " + probe.pair() + " was not accepted";
        }
        bundle.kill();
        return "right after the 202 for " + probe.pair() + " (" + liveAccepted.get() + " live donors accepted)";
    }

    private String midBulk() throws Exception {
        if (!bulkDropped) {
            dropBulk();
        }
        if (random.nextInt(3) == 0) {
            long delay = random.nextInt(2500);
            sleepUntil(dropNanos + TimeUnit.MILLISECONDS.toNanos(delay));
            bundle.kill();
            return delay + " ms after the file drop, " + bulkTaken() + " of " + bulk.size() + " bulk donors taken";
        }
        long delay = random.nextInt(400);
        awaitQuietly("the first bulk chunk taken", () -> bulkTaken() > 0);
        TimeUnit.MILLISECONDS.sleep(delay);
        bundle.kill();
        return delay + " ms after the first chunk was taken, " + bulkTaken() + " of " + bulk.size() + " bulk donors taken";
    }

    private String midPoll() throws Exception {
        if (!awaitQuietly(Duration.ofSeconds(2), "donors PENDING", () -> bundle.count("PENDING") > 0)) {
            for (int i = 0; i < 3; i++) {
                deliver(probe("P"));
            }
            awaitQuietly("probe donors PENDING", () -> bundle.count("PENDING") > 0);
        }
        long delay = random.nextInt(600);
        long period = TimeUnit.SECONDS.toMillis(POLL_SECONDS);
        long pending = bundle.count("PENDING");
        long now = System.currentTimeMillis();
        long fire = (now / period + 1) * period;
        TimeUnit.MILLISECONDS.sleep(fire + delay - now);
        bundle.kill();
        return delay + " ms after the poll fired, " + pending + " PENDING just before";
    }

    private String midWebhook() throws Exception {
        int deliveredBefore = sandbox.deliveries().size();
        // an import with something to announce; with nothing held, a few donors of its own to make one
        if (sandbox.heldTransactions().isEmpty()) {
            for (int i = 0; i < 5; i++) {
                deliver(probe("W"));
            }
            awaitQuietly(Duration.ofSeconds(10), Duration.ofMillis(50), "transactions held, or an import delivering",
                    () -> !sandbox.heldTransactions().isEmpty() || sandbox.deliveries().size() > deliveredBefore);
        }
        int held = sandbox.heldTransactions().size();
        long delay = random.nextInt(100);
        CompletableFuture<Void> batch = CompletableFuture.runAsync(() -> {
            try {
                sandbox.runBatch();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        awaitQuietly(Duration.ofSeconds(5), Duration.ofMillis(20), "the import's first webhook", () -> sandbox.deliveries().size() > deliveredBefore);
        TimeUnit.MILLISECONDS.sleep(delay);
        bundle.kill();
        int deliveredAtKill = sandbox.deliveries().size() - deliveredBefore;
        batch.get(2, TimeUnit.MINUTES);
        List<Map<String, Object>> deliveries = sandbox.deliveries();
        long failed = deliveries.subList(deliveredBefore, deliveries.size()).stream()
                .filter(delivery -> !"delivered".equals(delivery.get("outcome"))).count();
        return delay + " ms after the first webhook of an import (" + held + " held): " + deliveredAtKill + " delivered by the kill, "
                + (deliveries.size() - deliveredBefore) + " in all, " + failed + " failed";
    }

    private String midUpdate(List<Donor> donors) throws Exception {
        List<String> posted = new ArrayList<>();
        for (Donor donor : donors) {
            if (postUpdate(donor)) {
                posted.add(donor.referenceId());
            }
        }
        long delay = random.nextInt(300);
        TimeUnit.MILLISECONDS.sleep(delay);
        bundle.kill();
        return delay + " ms after the last of " + posted.size() + " changed donors was accepted";
    }

    /**
     * The organisation leaves the hour {@link #LIVE_CHUNK_BUDGET} requests and the sandbox is to withhold the next Batch's
     * answer; donors are posted until the live path coalesces, then until the sandbox took that Batch, and two more. The
     * kill lands while the bundle waits for the Batch's answer: its donors marked sent, the rest of the live load not.
     */
    private String midLiveChunk() throws Exception {
        long delay = random.nextInt(300);
        // the Batch withheld must be the live path's: the bulk file's chunks go first
        if (bulkDropped) {
            awaitQuietly("the bulk file's donors taken", () -> bulkTaken() == bulk.size());
        }
        awaitClearOfHourEnd();
        int withheldBefore = withheldAnswers();
        sandbox.leaveRateBudget(LIVE_CHUNK_BUDGET);
        sandbox.timeOutNext("POST", "/api/Contact/Batch", RESPONSE_TIMEOUT.multipliedBy(5));
        try {
            // one by one, a donor waits (RECEIVED) only for its Finds, tens of ms: one every 50 ms, so one likely is at the next check
            List<Donor> before = new ArrayList<>();
            while (!coalescing() && before.size() < LIVE_CHUNK_MAX_ALONE) {
                Donor donor = probe("S");
                deliver(donor);
                before.add(donor);
                TimeUnit.MILLISECONDS.sleep(50);
            }
            if (!coalescing()) {
                bundle.kill();
                violations.add("MID_LIVE_CHUNK the live path did not coalesce: " + before.size() + " donors posted with "
                        + LIVE_CHUNK_BUDGET + " requests left in the hour");
                return "the live path did not coalesce";
            }
            // up to a chunk's worth until the sandbox took a Batch (a full chunk goes at once, a short one when ripe), then
            // two more, which the live worker cannot send before that Batch's answer
            List<Donor> coalesced = new ArrayList<>();
            long giveUp = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (withheldAnswers() == withheldBefore && System.nanoTime() < giveUp) {
                if (coalesced.size() < plan.batchSize()) {
                    postProbe("C", coalesced);
                } else {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            if (withheldAnswers() == withheldBefore) {
                bundle.kill();
                violations.add("MID_LIVE_CHUNK no Batch was sent within " + STEP_TIMEOUT.toSeconds() + " s of the live path coalescing");
                return "no Batch sent";
            }
            long taken = System.nanoTime();
            postProbe("C", coalesced);
            postProbe("C", coalesced);
            // read soon: the sandbox's import (every 2 s) may create their Contacts, and its webhooks resolve them
            Map<String, Object> submissions = sandbox.submissions();
            int marked = 0;
            List<String> unmarked = new ArrayList<>();
            List<Donor> posted = new ArrayList<>(before);
            posted.addAll(coalesced);
            for (Donor donor : posted) {
                if (!submissions.containsKey(donor.pair())) {
                    continue;
                }
                Map<String, Object> row = bundle.operator("/sync/donors/" + SOURCE + "/" + donor.referenceId()).object();
                if ("PENDING".equals(row.get("state")) && "SENT".equals(row.get("submitOutcome"))) {
                    marked++;
                } else if (coalesced.contains(donor) && !"SYNCED".equals(row.get("state"))) {
                    // only the withheld Batch can have taken it (the live worker waits for its answer); SYNCED: its import's webhook came
                    unmarked.add(donor.pair() + " " + row.get("state") + " " + row.get("submitOutcome"));
                }
            }
            TimeUnit.MILLISECONDS.sleep(delay);
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - taken);
            bundle.kill();
            if (!unmarked.isEmpty()) {
                violations.add("MID_LIVE_CHUNK taken by Virtuous in a Batch not yet answered, yet not PENDING (SENT) in the ledger: " + unmarked);
            }
            if (waited >= RESPONSE_TIMEOUT.toMillis()) {
                violations.add("MID_LIVE_CHUNK killed " + waited + " ms after the Batch was taken: the bundle had given up its answer");
            }
            long unsent = coalesced.stream().filter(donor -> !submissions.containsKey(donor.pair())).count();
            return waited + " ms after the sandbox took a Batch and withheld its answer: of the " + posted.size() + " donors posted ("
                    + before.size() + " before the path coalesced), " + marked + " taken and PENDING (SENT), " + unsent
                    + " coalesced ones not yet sent";
        } finally {
            sandbox.resetRateBudget();
        }
    }

    private void postProbe(String kind, List<Donor> accepted) {
        Donor donor = probe(kind);
        if (deliver(donor)) {
            accepted.add(donor);
        }
    }

    /** The sandbox's budget window is the clock hour; the step is not to straddle its end, where the budget comes back. */
    private static void awaitClearOfHourEnd() throws InterruptedException {
        long hour = TimeUnit.HOURS.toMillis(1);
        long left = hour - System.currentTimeMillis() % hour;
        if (left < TimeUnit.SECONDS.toMillis(30)) {
            TimeUnit.MILLISECONDS.sleep(left + 1000);
        }
    }

    private boolean coalescing() throws IOException, InterruptedException {
        return "coalescing".equals(((Map<?, ?>) bundle.status().get("livePath")).get("mode"));
    }

    private int withheldAnswers() throws IOException, InterruptedException {
        return ((Number) sandbox.faults().getOrDefault("answer withheld after handling", 0)).intValue();
    }

    private int bulkTaken() throws IOException, InterruptedException {
        Map<String, Object> taken = sandbox.submissions();
        return (int) bulk.stream().filter(donor -> taken.containsKey(donor.pair())).count();
    }

    // ---- settling and the checks ----

    /** Runs the sandbox's import until nothing is RECEIVED or PENDING and nothing is held, or the time is up. */
    private boolean settle() {
        log("settling (at most " + plan.settleTimeout().toSeconds() + " s)");
        return awaitQuietly(plan.settleTimeout(), Duration.ofSeconds(1), "everything resolved", () -> {
            sandbox.runBatch();
            Map<String, Object> status = bundle.status();
            return ((Number) status.get("RECEIVED")).longValue() == 0 && ((Number) status.get("PENDING")).longValue() == 0
                    && sandbox.heldTransactions().isEmpty();
        });
    }

    @SuppressWarnings("unchecked")
    private TrialResult check(boolean settled) throws Exception {
        Map<String, Map<String, Object>> ledger = new LinkedHashMap<>();
        // a bundle that cannot answer for a donor (5xx: its database wedged, say) is a finding, not the end of the checks
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (String referenceId : sent.keySet()) {
            String path = "/sync/donors/" + SOURCE + "/" + referenceId;
            try {
                TrialHttp.Response row = bundle.operator(path);
                if (row.status() == 200) {
                    ledger.put(referenceId, row.object());
                } else if (row.status() != 404) {
                    unreadable.put(referenceId, "GET " + path + " answered " + row.status());
                }
            } catch (IOException e) {
                unreadable.put(referenceId, "GET " + path + " failed: " + e);
            }
        }
        Map<String, String> deadLetterReasons = new LinkedHashMap<>();
        try {
            for (Map<String, Object> letter : bundle.operator("/sync/dead-letters?limit=100000").array()) {
                Object reason = letter.get("reason");
                if (reason != null && !reason.toString().isBlank()) {
                    deadLetterReasons.putIfAbsent(String.valueOf(letter.get("referenceId")), reason.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            violations.add("DEAD LETTERS unreadable: GET /sync/dead-letters failed: " + e);
        }
        Map<String, Object> submissions = sandbox.submissions();
        List<Map<String, Object>> contacts = sandbox.contacts();
        List<Map<String, Object>> deliveries = sandbox.deliveries();
        Set<String> held = new LinkedHashSet<>();
        for (Map<String, Object> transaction : sandbox.heldTransactions()) {
            held.add(transaction.get("referenceSource") + ":" + transaction.get("referenceId"));
        }

        TrialResult.Counts counts = new TrialResult.Counts();
        counts.accepted = accepted.size();
        counts.neverAccepted = sent.size() - accepted.size();
        // (a) every accepted donor is SYNCED, PENDING, or FAILED with its reason
        for (Donor donor : accepted.values()) {
            Map<String, Object> row = ledger.get(donor.referenceId());
            String state = row == null ? null : String.valueOf(row.get("state"));
            int taken = taken(submissions, donor.pair());
            if (unreadable.containsKey(donor.referenceId())) {
                counts.stuck++;
                counts.notSubmitted++;
                violations.add("STUCK " + donor.pair() + ": its ledger row cannot be read (" + unreadable.get(donor.referenceId()) + ")");
                continue;
            }
            if (row == null) {
                counts.lost++;
                violations.add("LOST " + donor.pair() + ": accepted, not in the ledger (Virtuous took it " + taken + " times)");
            } else if (state.equals("FAILED")) {
                if (deadLetterReasons.containsKey(donor.referenceId())) {
                    counts.deadLettered++;
                    notes.add("DEAD-LETTERED " + donor.pair() + ": " + deadLetterReasons.get(donor.referenceId()));
                } else {
                    counts.failedWithoutReason++;
                    violations.add("FAILED " + donor.pair() + " without an open dead letter giving a reason");
                }
            } else if (state.equals("PENDING")) {
                counts.pendingLeft++;
                if (held.contains(donor.pair())) {
                    counts.pendingHeld++;
                }
                if (taken == 0) {
                    counts.pendingUntaken++;
                    violations.add("PENDING " + donor.pair() + " but Virtuous never took its submission");
                }
            } else if (!state.equals("SYNCED")) {
                counts.stuck++;
                violations.add("STUCK " + donor.pair() + " " + state + " after settling (" + row.get("lastError") + ")");
            }
            boolean submitted = "SYNCED".equals(state) || "PENDING".equals(state) && taken > 0;
            if (!submitted) {
                counts.notSubmitted++;
            }
        }
        // (b) no pair taken twice
        for (String referenceId : sent.keySet()) {
            String pair = SOURCE + ":" + referenceId;
            int taken = taken(submissions, pair);
            if (taken > 1) {
                counts.takenTwice++;
                Map<String, Object> row = ledger.get(referenceId);
                violations.add("TAKEN " + taken + "x " + pair + " (ledger: " + (row == null ? "none" : row.get("state") + ", " + row.get("resolvedBy")) + ")");
            }
        }
        // (c) and (d): the Contacts that carry our pairs, and what their acknowledged webhooks promised
        Map<Long, List<String>> pairsByContact = new LinkedHashMap<>();
        Map<String, List<Long>> contactsByPair = new LinkedHashMap<>();
        for (Map<String, Object> contact : contacts) {
            long id = ((Number) contact.get("id")).longValue();
            for (Map<String, Object> reference : (List<Map<String, Object>>) contact.getOrDefault("contactReferences", List.of())) {
                String pair = reference.get("source") + ":" + reference.get("id");
                if (reference.get("source").equals(SOURCE) && sent.containsKey(String.valueOf(reference.get("id")))) {
                    pairsByContact.computeIfAbsent(id, any -> new ArrayList<>()).add(pair);
                    if (contact.get("mergedIntoContactId") == null) {
                        contactsByPair.computeIfAbsent(pair, any -> new ArrayList<>()).add(id);
                    }
                }
            }
        }
        Set<String> acknowledged = new LinkedHashSet<>();
        for (Map<String, Object> delivery : deliveries) {
            int status = ((Number) delivery.get("status")).intValue();
            counts.webhookDeliveries++;
            if (status >= 200 && status < 300) {
                counts.webhooksAcknowledged++;
                acknowledged.addAll(pairsByContact.getOrDefault(((Number) delivery.get("contactId")).longValue(), List.of()));
            }
        }
        for (String pair : acknowledged) {
            String referenceId = pair.substring(SOURCE.length() + 1);
            if (unreadable.containsKey(referenceId)) {
                continue;
            }
            Map<String, Object> row = ledger.get(referenceId);
            if (row == null || !"SYNCED".equals(row.get("state"))) {
                counts.lostWebhooks++;
                violations.add("WEBHOOK LOST " + pair + ": its Contact's webhook was acknowledged (2xx), the donor ends "
                        + (row == null ? "absent from the ledger" : row.get("state")));
            }
        }
        contactsByPair.forEach((pair, ids) -> {
            if (ids.size() > 1) {
                counts.duplicates++;
                violations.add("DUPLICATE " + pair + " is carried by Contacts " + ids);
            }
        });
        // the changes accepted: in the ledger, and on the Contact
        for (Donor changed : updatesAccepted.values()) {
            counts.updatesAccepted++;
            Map<String, Object> row = ledger.get(changed.referenceId());
            Map<String, Object> donor = row == null ? Map.of() : (Map<String, Object>) row.getOrDefault("donor", Map.of());
            if (!changed.lastName().equals(donor.get("lastName"))) {
                counts.updatesLost++;
                violations.add("UPDATE LOST " + changed.pair() + ": its change was accepted (202), the ledger holds lastName="
                        + donor.get("lastName"));
            } else if ("SYNCED".equals(row.get("state")) && !contactHasLastName(contacts, changed)) {
                counts.updatesNotApplied++;
                violations.add("UPDATE NOT APPLIED " + changed.pair() + ": SYNCED, but its Contact has no lastName " + changed.lastName());
            }
        }
        counts.changesLoggedNotKept = changesLoggedNotKept(ledger);
        counts.subscriptions = sandbox.webhooks().size();
        saveSandboxState(submissions, deliveries, contacts);
        Map<String, Integer> faults = new LinkedHashMap<>();
        sandbox.faults().forEach((kind, count) -> faults.put(kind, ((Number) count).intValue()));
        List<String> found = new ArrayList<>(violations);
        found.sort(null);
        List<String> noted = new ArrayList<>(notes);
        noted.sort(null);
        return new TrialResult(plan, counts, List.copyOf(kills), faults, settled, Duration.ofNanos(System.nanoTime() - startedNanos),
                List.copyOf(found), List.copyOf(noted), directory);
    }

    /**
     * State changes an incarnation logged (one line per change, with the pair and the new state) that the ledger's
     * history does not hold at the end: a change made, announced, and then lost with the process. A donor that
     * went SYNCED from a webhook, lost it in the crash and was SYNCED again by the poll counts one.
     */
    @SuppressWarnings("unchecked")
    private int changesLoggedNotKept(Map<String, Map<String, Object>> ledger) throws IOException {
        Map<String, Map<String, Integer>> logged = new LinkedHashMap<>();
        for (int i = 1; i <= bundle.incarnation(); i++) {
            Path log = directory.resolve("bundle-" + i + ".log");
            if (Files.exists(log)) {
                Matcher line = STATE_CHANGE.matcher(Files.readString(log));
                while (line.find()) {
                    logged.computeIfAbsent(line.group(1), pair -> new LinkedHashMap<>()).merge(line.group(2), 1, Integer::sum);
                }
            }
        }
        int lostChanges = 0;
        for (Map.Entry<String, Map<String, Integer>> donor : logged.entrySet()) {
            if (!donor.getKey().startsWith(SOURCE + ":" + prefix + "-")) {
                continue;
            }
            Map<String, Object> row = ledger.get(donor.getKey().substring(SOURCE.length() + 1));
            Map<String, Integer> kept = new LinkedHashMap<>();
            if (row != null) {
                for (Map<String, Object> step : (List<Map<String, Object>>) row.getOrDefault("history", List.of())) {
                    kept.merge(String.valueOf(step.get("state")), 1, Integer::sum);
                }
            }
            for (Map.Entry<String, Integer> state : donor.getValue().entrySet()) {
                lostChanges += Math.max(0, state.getValue() - kept.getOrDefault(state.getKey(), 0));
            }
        }
        return lostChanges;
    }

    /** What Virtuous ended up with, next to the logs, for whoever reads a failed trial. */
    private void saveSandboxState(Map<String, Object> submissions, List<Map<String, Object>> deliveries, List<Map<String, Object>> contacts)
            throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("submissions", submissions);
        state.put("deliveries", deliveries);
        state.put("contacts", contacts);
        Files.writeString(directory.resolve("sandbox-state.json"), TrialHttp.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
    }

    @SuppressWarnings("unchecked")
    private static boolean contactHasLastName(List<Map<String, Object>> contacts, Donor changed) {
        for (Map<String, Object> contact : contacts) {
            List<Map<String, Object>> references = (List<Map<String, Object>>) contact.getOrDefault("contactReferences", List.of());
            boolean ours = references.stream().anyMatch(reference -> SOURCE.equals(reference.get("source"))
                    && changed.referenceId().equals(reference.get("id")));
            if (ours) {
                List<Map<String, Object>> individuals = (List<Map<String, Object>>) contact.getOrDefault("contactIndividuals", List.of());
                if (individuals.stream().anyMatch(individual -> changed.lastName().equals(individual.get("lastName")))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int taken(Map<String, Object> submissions, String pair) {
        Object count = submissions.get(pair);
        return count == null ? 0 : ((Number) count).intValue();
    }

    private String state(Donor donor) {
        try {
            TrialHttp.Response row = bundle.operator("/sync/donors/" + SOURCE + "/" + donor.referenceId());
            return row.status() == 200 ? String.valueOf(row.object().get("state")) : row.status() == 404 ? "absent" : "unknown (" + row.status() + ")";
        } catch (IOException e) {
            return "unknown (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    // ---- helpers ----

    private Donor donor(String referenceId) {
        String first = FIRST_NAMES[names.nextInt(FIRST_NAMES.length)];
        String last = LAST_NAMES[names.nextInt(LAST_NAMES.length)];
        return new Donor(referenceId, first, last, referenceId.toLowerCase(Locale.ROOT) + "@example.org");
    }

    private static <T> List<T> take(List<T> from, int count) {
        List<T> taken = new ArrayList<>(from.subList(0, Math.min(count, from.size())));
        from.subList(0, taken.size()).clear();
        return taken;
    }

    private boolean awaitQuietly(String what, Callable<Boolean> condition) {
        return awaitQuietly(STEP_TIMEOUT, what, condition);
    }

    private boolean awaitQuietly(Duration atMost, String what, Callable<Boolean> condition) {
        return awaitQuietly(atMost, Duration.ofMillis(250), what, condition);
    }

    /** Waits for a condition; false when it did not come within the time (the trial goes on and reports what it finds). */
    private boolean awaitQuietly(Duration atMost, Duration poll, String what, Callable<Boolean> condition) {
        try {
            await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(poll).ignoreExceptions().until(condition);
            return true;
        } catch (ConditionTimeoutException late) {
            log("gave up waiting for " + what + " after " + atMost.toSeconds() + " s");
            return false;
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private long elapsed() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private void log(String message) {
        System.out.println("[crash-trial seed=" + plan.seed() + "] " + message);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Collections.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
