package org.contactsync.bench;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.RecordedRequest;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestClock;

/**
 * The giving-day scenario of bench/README.md: 5,000 new and 2,000 returning donors (their Contacts already in the
 * sandbox, half by reference pair, half by email only) posted one by one through {@code POST /donors} by four clients,
 * evenly within one budget hour compressed 100 times (the sandbox's window is 36 s, 5,000 requests), while the rest
 * of the organisation spends half of each window, and one trickle donor is sent half way. The bundle runs at its
 * defaults, with the settings of the budget's time scale compressed alike ({@code virtuous.rate.window} 36s,
 * {@code sync.live.max-delay} 3s, where the code knows them). Writes its table to the results file
 * (bench/giving-day-results.md). Not a test: {@code mvn -B -Pbench test-compile exec:exec
 * -Dbench.main=org.contactsync.bench.GivingDay -Dbench.results=bench/giving-day-results.md}.
 */
public final class GivingDay {

    private static final String SOURCE = "PartnerPlatform";
    private static final String SECRET = "giving-day-secret";
    private static final int NEW_DONORS = 5_000;
    private static final int RETURNING = 2_000;
    private static final int CLIENTS = 4;
    private static final int LIMIT = 5_000;
    /** The compressed hour: Virtuous's 3,600 s window divided by 100. */
    private static final int WINDOW_SECONDS = 36;
    /** What the organisation's other integrations spend of each window. */
    private static final double OTHERS = 0.5;
    /** How long the bench waits for every donor to be submitted, in windows (the code before coalescing needs many). */
    private static final int WINDOWS_AT_MOST = 8;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final TestClock clock = new TestClock();
    private final Map<String, String> figures = new LinkedHashMap<>();
    private final Map<String, Long> returning = new LinkedHashMap<>();
    /** Bundle requests the sandbox had seen at the start of each window, by window number. */
    private final Map<Long, Integer> requestsAtWindow = new TreeMap<>();
    private final Path directory;
    private SyncBundle bundle;
    private volatile boolean running = true;

    private GivingDay(Path directory) {
        this.directory = directory;
    }

    public static void main(String... args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/giving-day-results.md");
        GivingDay bench = new GivingDay(Files.createTempDirectory("giving-day"));
        try {
            bench.run();
        } finally {
            bench.running = false;
            if (bench.bundle != null) {
                bench.bundle.close();
            }
            bench.sandbox.stop();
        }
        Files.writeString(results, bench.report());
        System.out.println(bench.report());
        System.exit(0);
    }

    private void run() throws Exception {
        sandbox.setPort(0);
        sandbox.setClock(clock);
        sandbox.setRateLimitPerHour(LIMIT);
        sandbox.setRateWindowSeconds(WINDOW_SECONDS);
        sandbox.start();
        for (int i = 1; i <= RETURNING; i++) {
            Map<String, Object> contact = new LinkedHashMap<>(Map.of("firstName", "Returning", "lastName", "Donor" + i,
                    "email", "back-" + i + "@example.org"));
            if (i <= RETURNING / 2) {
                // half were synced before by this platform: their Contact carries the pair; the others Virtuous knows by email
                contact.put("referenceSource", SOURCE);
                contact.put("referenceId", "back-" + i);
            }
            returning.put("back-" + i, sandbox.seedContact(contact));
        }
        Map<String, String> settings = new LinkedHashMap<>(Map.of("sync.webhook.secret", SECRET,
                "sync.webhook.public-url", "http://localhost:{{camel.server.port}}"));
        compressed(settings, "virtuous.rate.window", WINDOW_SECONDS + "s");
        compressed(settings, "sync.live.max-delay", "3s");
        bundle = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), settings, clock);
        String payloadUrl = bundle.uri("/webhooks/virtuous").toString();
        await(Duration.ofSeconds(30), () -> sandbox.webhooks().stream().anyMatch(w -> payloadUrl.equals(w.get("payloadUrl"))));

        List<String> donors = new ArrayList<>();
        for (int i = 1; i <= NEW_DONORS; i++) {
            donors.add("new-" + i);
        }
        donors.addAll(returning.keySet());
        Collections.shuffle(donors, new Random(16));

        // the hour starts with a window
        long firstWindow = window(clock.instant()) + 1;
        sleepUntil(Instant.ofEpochSecond(firstWindow * WINDOW_SECONDS));
        sandbox.clearRequests();
        Thread others = daemon(this::othersSpend);
        Thread sampler = daemon(this::sampleWindows);
        Instant start = clock.instant();
        Duration spacing = Duration.ofSeconds(WINDOW_SECONDS).dividedBy(donors.size());
        AtomicInteger next = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS + 1);
        List<Future<?>> posting = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            posting.add(clients.submit(() -> {
                for (int index = next.getAndIncrement(); index < donors.size(); index = next.getAndIncrement()) {
                    sleepUntil(start.plus(spacing.multipliedBy(index)));
                    if (bundle.post("/donors", donorJson(donors.get(index))).status() != 202) {
                        refused.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        Future<Duration> trickle = clients.submit(() -> {
            sleepUntil(start.plus(Duration.ofSeconds(WINDOW_SECONDS).dividedBy(2)));
            Instant sent = clock.instant();
            bundle.post("/donors", donorJson("trickle-1"));
            await(Duration.ofSeconds(WINDOW_SECONDS * WINDOWS_AT_MOST), () -> submitted("trickle-1"));
            return Duration.between(sent, clock.instant());
        });
        for (Future<?> client : posting) {
            client.get();
        }
        Duration posted = Duration.between(start, clock.instant());
        int all = donors.size() + 1;
        // submitted: PENDING, or linked to its Contact (SYNCED, or RECEIVED again for the update an email match needs)
        boolean allSubmitted = await(Duration.ofSeconds((long) WINDOW_SECONDS * WINDOWS_AT_MOST), () ->
                bundle.views().countsByState().values().stream().mapToLong(Long::longValue).sum() == all && notSubmitted() == 0);
        Duration submittedIn = Duration.between(start, clock.instant());
        List<RecordedRequest> submitRequests = sandbox.requests();
        running = false;
        others.join();
        sampler.join();
        Duration trickleIn = trickle.isDone() || allSubmitted ? trickle.get(WINDOW_SECONDS, TimeUnit.SECONDS) : null;
        clients.shutdownNow();

        long found = submitRequests.stream().filter(r -> r.path().equals("/api/Contact/Find")).count();
        long findsByEmail = submitRequests.stream().filter(r -> r.path().equals("/api/Contact/Find") && r.query().contains("email=")).count();
        long transactions = submitRequests.stream().filter(r -> r.path().equals("/api/Contact/Transaction")).count();
        long batches = submitRequests.stream().filter(r -> r.path().equals("/api/Contact/Batch")).count();
        long tooMany = submitRequests.stream().filter(r -> r.status() == 429).count();
        int windows = (int) Math.max(1, Math.ceil(submittedIn.toMillis() / 1000.0 / WINDOW_SECONDS));
        int busiest = busiestWindow(submitRequests.size());
        figures.put("Donors posted", String.format("%,d new + %,d returning + 1 trickle, one by one by %d clients, all answered 202 in %.1f s"
                + " (%d refused)", NEW_DONORS, RETURNING, CLIENTS, posted.toMillis() / 1000.0, refused.get()));
        Map<String, Long> other = new TreeMap<>();
        submitRequests.stream().filter(r -> !r.path().equals("/api/Contact/Find") && !r.path().equals("/api/Contact/Transaction")
                && !r.path().equals("/api/Contact/Batch")).forEach(r -> other.merge(r.method() + " " + r.path().replaceAll("/\\d+", "/{id}"), 1L, Long::sum));
        figures.put("Requests until every donor was submitted", String.format("%,d: %,d Find (%,d by email), %,d Contact Transaction, %,d Contact Batch, other %s",
                submitRequests.size(), found, findsByEmail, transactions, batches, other));
        figures.put("Share of the budget", String.format("%,d requests over %d window(s) of %,d: %.1f %% of the budget; the busiest window %,d (%.1f %%); the bundle's share is 25 %%",
                submitRequests.size(), windows, LIMIT, 100.0 * submitRequests.size() / ((long) windows * LIMIT), busiest, 100.0 * busiest / LIMIT));
        figures.put("Every donor submitted (PENDING or SYNCED)", allSubmitted
                ? String.format("%.1f s after the first was posted (%.2f compressed hours), %.1f s after the last", submittedIn.toMillis() / 1000.0,
                        submittedIn.toMillis() / 1000.0 / WINDOW_SECONDS, submittedIn.minus(posted).toMillis() / 1000.0)
                : String.format("NOT within %d compressed hours: %,d neither PENDING nor linked", WINDOWS_AT_MOST, notSubmitted()));
        figures.put("Trickle donor (posted half way) submitted", trickleIn == null ? "NOT within the wait"
                : String.format("%.1f s after it was posted", trickleIn.toMillis() / 1000.0));
        figures.put("429s reaching the bundle", tooMany + " (the rate governor waits out any it gets: none reaches a route as a failure)");

        // the import runs (every Transaction and Batch item held), and its webhooks resolve the donors
        sandbox.runBatch();
        long pendingAtImport = bundle.views().countsByState().get(SyncState.PENDING);
        // until nothing is PENDING, or, when donors were still submitted after the import, nothing changes for 5 s
        AtomicReference<Map<SyncState, Long>> last = new AtomicReference<>(Map.of());
        AtomicReference<Instant> changed = new AtomicReference<>(clock.instant());
        await(Duration.ofSeconds(120), () -> {
            Map<SyncState, Long> counts = bundle.views().countsByState();
            if (!counts.equals(last.getAndSet(counts))) {
                changed.set(clock.instant());
            }
            return counts.get(SyncState.PENDING) == 0 || changed.get().isBefore(clock.instant().minusSeconds(5));
        });
        figures.put("Duplicates (Contacts sharing a reference pair, or a returning donor's email)", String.valueOf(duplicates(donors)));
        figures.put("Returning donors", returningOutcome());
        figures.put("Dead letters", String.valueOf(bundle.deadLetters().size()));
        figures.put("After the import", String.format("%,d donors were PENDING; %,d still PENDING after its webhooks", pendingAtImport,
                bundle.views().countsByState().get(SyncState.PENDING)));
    }

    /** The setting, where the code under test knows it: the bench runs on commits from before it too. */
    private static void compressed(Map<String, String> settings, String key, String value) throws Exception {
        Field defaults = Class.forName("org.contactsync.bundle.Settings").getField("DEFAULTS");
        if (((Map<?, ?>) defaults.get(null)).containsKey(key)) {
            settings.put(key, value);
        }
    }

    /** The organisation's other integrations: half of every window, spread over it. */
    private void othersSpend() {
        int slices = 100;
        int perSlice = (int) (LIMIT * OTHERS / slices);
        while (running) {
            sandbox.consumeRateBudget(perSlice);
            pause(Duration.ofSeconds(WINDOW_SECONDS).dividedBy(slices));
        }
    }

    private void sampleWindows() {
        while (running) {
            requestsAtWindow.putIfAbsent(window(clock.instant()), sandbox.requests().size());
            pause(Duration.ofMillis(20));
        }
    }

    private int busiestWindow(int total) {
        List<Integer> marks = new ArrayList<>(requestsAtWindow.values());
        marks.add(total);
        int busiest = 0;
        for (int i = 1; i < marks.size(); i++) {
            busiest = Math.max(busiest, marks.get(i) - marks.get(i - 1));
        }
        return busiest;
    }

    /** New donors not yet submitted: RECEIVED and not linked to a Contact. */
    private long notSubmitted() {
        return bundle.bean("database", SyncDatabase.class).jdbc()
                .queryForObject("SELECT COUNT(*) FROM sync_ledger WHERE state = 'RECEIVED' AND contact_id IS NULL", Long.class);
    }

    private boolean submitted(String referenceId) throws Exception {
        LedgerEntry entry = bundle.entry(SOURCE, referenceId);
        return entry != null && (entry.state() != SyncState.RECEIVED || entry.contactId() != null);
    }

    private long duplicates(List<String> donors) {
        long pairs = donors.stream().filter(id -> sandbox.contactCountForReference(SOURCE, id) > 1).count();
        Map<String, Integer> byEmail = new TreeMap<>();
        for (Map<String, Object> contact : sandbox.contacts()) {
            String methods = String.valueOf(contact.get("contactMethods"));
            for (String id : returning.keySet()) {
                if (methods.contains(id + "@example.org")) {
                    byEmail.merge(id, 1, Integer::sum);
                }
            }
        }
        return pairs + byEmail.values().stream().filter(count -> count > 1).count();
    }

    private String returningOutcome() throws Exception {
        int atOnce = 0;
        int byImport = 0;
        int newContact = 0;
        int unresolved = 0;
        for (Map.Entry<String, Long> donor : returning.entrySet()) {
            LedgerEntry entry = bundle.entry(SOURCE, donor.getKey());
            if (entry == null || entry.contactId() == null) {
                unresolved++;
            } else if (!entry.contactId().equals(donor.getValue())) {
                newContact++;
            } else if (entry.resolvedBy() != null && entry.resolvedBy().startsWith("found-by")) {
                atOnce++;
            } else {
                byImport++;
            }
        }
        return String.format("%,d linked at once by a Find; %,d sent without a Find and matched by the import to their Contact; "
                + "%,d given a new Contact; %,d unresolved", atOnce, byImport, newContact, unresolved);
    }

    private String report() {
        StringBuilder text = new StringBuilder("# Giving-day bench results\n\n").append("Java ").append(Runtime.version())
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores (shared with other builds: times are noisy, request counts are not).\n\n")
                .append("| measure | figure |\n|---|---|\n");
        figures.forEach((name, figure) -> text.append("| ").append(name).append(" | ").append(figure).append(" |\n"));
        return text.toString();
    }

    private static String donorJson(String referenceId) {
        String email = referenceId.startsWith("back-") ? referenceId + "@example.org" : referenceId + "@donors.example.org";
        return "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Giving\",\"lastName\":\"" + referenceId + "\",\"email\":\"" + email + "\"}";
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static long window(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), WINDOW_SECONDS);
    }

    private void sleepUntil(Instant at) {
        Duration wait = Duration.between(clock.instant(), at);
        if (!wait.isNegative() && !wait.isZero()) {
            pause(wait);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Check {
        boolean holds() throws Exception;
    }

    private static boolean await(Duration atMost, Check check) throws Exception {
        Instant until = Instant.now().plus(atMost);
        while (Instant.now().isBefore(until)) {
            if (check.holds()) {
                return true;
            }
            pause(Duration.ofMillis(100));
        }
        return check.holds();
    }
}
