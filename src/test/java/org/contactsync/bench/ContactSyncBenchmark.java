package org.contactsync.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestClock;

/**
 * The benchmark of bench/README.md: API requests per donor on each path, throughput, webhook latency, start-up time and
 * peak memory, against the embedded sandbox with no latency and a budget too large to wait for. Writes bench/results.md.
 * Not a test: run it with {@code mvn -B -Pbench test-compile exec:exec}.
 */
public final class ContactSyncBenchmark {

    private static final String SOURCE = "PartnerPlatform";
    private static final String SECRET = "bench-secret";
    private static final int BACKFILL = 10_000;
    private static final int LIVE_DONORS = 1_000;
    private static final int SURGE_DONORS = 5_000;
    private static final int CLIENTS = Integer.getInteger("bench.clients", 4);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> figures = new LinkedHashMap<>();
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final TestClock clock = new TestClock();
    private final Path directory;
    private SyncBundle bundle;

    private ContactSyncBenchmark(Path directory) {
        this.directory = directory;
    }

    public static void main(String... args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/results.md");
        Path directory = Files.createTempDirectory("contact-sync-bench");
        ContactSyncBenchmark bench = new ContactSyncBenchmark(directory);
        try {
            bench.run();
        } finally {
            bench.stop();
        }
        Files.writeString(results, bench.report());
        System.out.println(bench.report());
    }

    private void run() throws Exception {
        sandbox.setPort(0);
        sandbox.setClock(clock);
        // a budget no run reaches: the figures measure work, not waiting (the rate governor's tests cover waiting)
        sandbox.setRateLimitPerHour(10_000_000);
        sandbox.start();
        startUp();
        if (selected("requests")) {
            newLiveDonor();
            donorAlreadyInVirtuous();
        }
        if (selected("live")) {
            liveThroughput();
        }
        if (selected("surge")) {
            liveSurge();
        }
        if (selected("webhooks")) {
            backfillResolvedByWebhooks();
        }
        if (selected("poll")) {
            backfillResolvedByThePoll();
        }
        if (selected("no-references")) {
            backfillResolvedByWebhooksWithoutReferences();
        }
        figures.put("Heap", "peak used " + peakHeapMegabytes() + " MB of the " + Runtime.getRuntime().maxMemory() / (1024 * 1024)
                + " MB allowed (-Xmx1g); live after a full GC at the end: " + liveHeapMegabytes() + " MB. The sandbox's 31,000 Contacts "
                + "and request log, and the benchmark's 10,000 webhook bodies, share the JVM");
    }

    /**
     * Whether {@code -Dbench.only} (comma-separated, "all" by default) names the measure: a change's figures can be
     * timed alone, back to back before and after it. "webhooks" includes the bulk path, whose file its deliveries resolve.
     */
    private static boolean selected(String measure) {
        String only = System.getProperty("bench.only", "all");
        return only.equals("all") || List.of(only.split(",")).contains(measure);
    }

    private void startUp() throws Exception {
        long start = System.nanoTime();
        bundle = startBundle();
        long first = millisSince(start);
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        bundle.close();
        start = System.nanoTime();
        bundle = startBundle();
        figures.put("Start-up, first in the JVM (Camel Main start to /sync/status 200)", first + " ms (JVM uptime then: " + uptime + " ms)");
        figures.put("Start-up, restart over the same database", millisSince(start) + " ms");
        String payloadUrl = bundle.uri("/webhooks/virtuous").toString();
        await("subscription", () -> sandbox.webhooks().stream().anyMatch(w -> payloadUrl.equals(w.get("payloadUrl"))));
    }

    private SyncBundle startBundle() throws Exception {
        SyncBundle started = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), Map.of(
                "sync.webhook.secret", SECRET,
                "sync.webhook.public-url", "http://localhost:{{camel.server.port}}",
                "virtuous.rate.limit-per-hour", "10000000",
                "sync.bulk.period-ms", "100"), clock);
        await("status", () -> started.get("/sync/status").status() == 200);
        return started;
    }

    /** (a) Find by reference, Find by email, Transaction; the webhook names the reference, so resolution costs nothing. */
    private void newLiveDonor() throws Exception {
        sandbox.clearRequests();
        bundle.post("/donors", donorJson("new-1"));
        awaitState("new-1", SyncState.PENDING);
        sandbox.runBatch();
        awaitState("new-1", SyncState.SYNCED);
        figures.put("(a) new live donor, to SYNCED", sandbox.requests().size() + " requests: " + operations());
    }

    /** (b) one Find; (c) the same donor again: none. */
    @SuppressWarnings("unchecked")
    private void donorAlreadyInVirtuous() throws Exception {
        sandbox.seedContact(Map.of("referenceSource", SOURCE, "referenceId", "known-1", "firstName", "Known", "lastName", "Donor"));
        sandbox.clearRequests();
        bundle.post("/donors", donorJson("known-1"));
        awaitState("known-1", SyncState.SYNCED);
        figures.put("(b) donor already in Virtuous, to SYNCED", sandbox.requests().size() + " request(s): " + operations());
        sandbox.clearRequests();
        SyncBundle.Response resend = bundle.post("/donors", donorJson("known-1"));
        Object admission = ((List<Map<String, Object>>) resend.json().get("accepted")).get(0).get("admission");
        figures.put("(c) unchanged resend", sandbox.requests().size() + " requests (admission " + admission + ")");
    }

    /** Donors posted one by one by several clients, until every one is PENDING (Find, Find by email, Transaction each). */
    private void liveThroughput() throws Exception {
        sandbox.clearRequests();
        long start = System.nanoTime();
        long cpu = processCpuMillis();
        postOneByOne("live-", LIVE_DONORS);
        await("live donors PENDING", () -> count(SyncState.PENDING) >= LIVE_DONORS);
        long millis = millisSince(start);
        figures.put("Live path: intake -> ledger -> Find -> Transaction -> PENDING", perSecond(LIVE_DONORS, millis) + " donors/s ("
                + LIVE_DONORS + " donors posted one by one by " + CLIENTS + " clients in " + millis + " ms, "
                + String.format("%.2f", sandbox.requests().size() / (double) LIVE_DONORS) + " requests/donor; "
                + cpuPer(cpu, LIVE_DONORS, "donor") + ")");
        // a donor is PENDING from its mark, just before its Transaction leaves: the import must not start before the last arrived
        await("live Transactions taken", () -> sandbox.requests().stream().filter(r -> r.path().equals("/api/Contact/Transaction")).count() >= LIVE_DONORS);
        sandbox.runBatch();
        await("live donors SYNCED", () -> count(SyncState.PENDING) == 0);
    }

    /**
     * The same live path under a surge at Virtuous's documented budget (5,000 requests an hour, 1,250 of them the
     * bundle's): donors posted one by one faster than they could go one by one within sync.live.max-delay, so the live
     * path coalesces; until every one is PENDING (intake -> ledger -> Contact Batch).
     */
    private void liveSurge() throws Exception {
        clock.advanceIntoNextHour();
        sandbox.setRateLimitPerHour(5_000);
        sandbox.clearRequests();
        long start = System.nanoTime();
        long cpu = processCpuMillis();
        postOneByOne("surge-", SURGE_DONORS);
        long answered = millisSince(start);
        await("surge donors PENDING", () -> count(SyncState.PENDING) >= SURGE_DONORS);
        long millis = millisSince(start);
        figures.put("Live path in a surge at the documented budget: intake -> ledger -> (coalescing) Batch -> PENDING", perSecond(SURGE_DONORS, millis)
                + " donors/s (" + SURGE_DONORS + " donors posted one by one by " + CLIENTS + " clients, all answered 202 in " + answered
                + " ms, all PENDING in " + millis + " ms; " + operations() + "; " + cpuPer(cpu, SURGE_DONORS, "donor") + ")");
        await("surge Batches taken", () -> sandbox.heldTransactions().size() >= SURGE_DONORS);
        sandbox.runBatch();
        await("surge donors SYNCED", () -> count(SyncState.PENDING) == 0);
        // the measures after this one are not about the budget
        clock.advanceIntoNextHour();
        sandbox.setRateLimitPerHour(10_000_000);
    }

    /** Posts {@code count} donors ({@code prefix}0, {@code prefix}1, ...), one a request, from {@link #CLIENTS} clients. */
    private void postOneByOne(String prefix, int count) throws Exception {
        parallel(count, i -> {
            bundle.post("/donors", donorJson(prefix + i));
            return 0L;
        });
    }

    /** (d) 10,000 donors in one file: Batch requests to submit, then the import's webhooks, delivered and timed here. */
    private void backfillResolvedByWebhooks() throws Exception {
        sandbox.clearRequests();
        long synced = count(SyncState.SYNCED);
        long start = System.nanoTime();
        drop("backfill-a.csv", csv("a", BACKFILL));
        await("backfill PENDING", () -> count(SyncState.PENDING) >= BACKFILL);
        long intake = millisSince(start);
        // a chunk's donors are PENDING from its mark, just before its Batch leaves: the import must wait for the last one
        await("backfill Batches taken", () -> sandbox.heldTransactions().size() >= BACKFILL);
        long submitRequests = sandbox.requests().size();
        figures.put("(d) 10,000-donor backfill, submit", submitRequests + " requests (" + operations() + "): 1 per "
                + BACKFILL / Math.max(1, submitRequests) + " donors; target at most 1 per 50: " + (submitRequests * 50 <= BACKFILL ? "met" : "NOT MET"));
        figures.put("Bulk path: file drop -> ledger -> Batch -> PENDING", perSecond(BACKFILL, intake) + " donors/s (" + BACKFILL + " in " + intake + " ms)");

        sandbox.setWebhookDeliveryEnabled(false);
        List<BatchResult> imported = sandbox.runBatch();
        sandbox.setWebhookDeliveryEnabled(true);
        List<String> deliveries = new ArrayList<>();
        for (BatchResult result : imported) {
            deliveries.add(JSON.writeValueAsString(Map.of("event", "ContactCreate", "contact", sandbox.contact(result.contactId()))));
        }
        start = System.nanoTime();
        long cpu = processCpuMillis();
        List<Long> latencies = parallel(deliveries.size(), i -> deliver(deliveries.get(i)));
        long delivering = millisSince(start);
        String deliveryCpu = cpuPer(cpu, deliveries.size(), "delivery");
        await("backfill SYNCED", () -> count(SyncState.SYNCED) >= synced + BACKFILL);
        long resolved = millisSince(start);
        Collections.sort(latencies);
        figures.put("(d) 10,000-donor backfill, resolution by webhooks", (sandbox.requests().size() - submitRequests)
                + " requests more (every contactCreate names the reference pair); all SYNCED " + resolved + " ms after the first delivery");
        figures.put("Webhook receiver", perSecond(deliveries.size(), delivering) + " deliveries/s (" + deliveries.size() + " signed contactCreate, "
                + CLIENTS + " clients); latency p50 " + percentile(latencies, 50) + " ms, p99 " + percentile(latencies, 99) + " ms; " + deliveryCpu);
    }

    /**
     * Another 10,000, two hours later, with every webhook lost: the poll's Contact Query settles them. Its pages hold
     * every Contact modified since an hour (sync.poll.query-overlap) before the oldest submit.
     */
    private void backfillResolvedByThePoll() throws Exception {
        clock.advance(Duration.ofHours(2));
        drop("backfill-b.csv", csv("b", BACKFILL));
        await("second backfill PENDING", () -> count(SyncState.PENDING) >= BACKFILL);
        sandbox.setWebhookDeliveryEnabled(false);
        sandbox.runBatch();
        sandbox.clearRequests();
        clock.advance(Duration.ofHours(7));
        long start = System.nanoTime();
        bundle.poll();
        await("second backfill SYNCED", () -> count(SyncState.PENDING) == 0);
        figures.put("(d) 10,000-donor backfill, resolution by the poll with webhooks lost", sandbox.requests().size() + " requests ("
                + operations() + ") instead of " + BACKFILL + " GETs, with no other Contact modified in the organisation; "
                + millisSince(start) + " ms");
    }

    /**
     * A third 10,000, whose import's webhooks carry no contactReferences (the envelope seen from real deliveries): the
     * bundle stores the events and reads them with the Contact Query rather than one GET each.
     */
    private void backfillResolvedByWebhooksWithoutReferences() throws Exception {
        clock.advance(Duration.ofHours(2));
        drop("backfill-c.csv", csv("c", BACKFILL));
        await("third backfill PENDING", () -> count(SyncState.PENDING) >= BACKFILL);
        sandbox.setWebhookDeliveryEnabled(true);
        sandbox.setWebhookReferencesIncluded(false);
        sandbox.clearRequests();
        long start = System.nanoTime();
        sandbox.runBatch();
        await("third backfill SYNCED", () -> count(SyncState.PENDING) == 0);
        figures.put("(d) 10,000-donor backfill, resolution by webhooks without contactReferences", sandbox.requests().size()
                + " requests (" + operations() + ") instead of " + BACKFILL + " GETs; all SYNCED " + millisSince(start)
                + " ms after the import started delivering");
    }

    private long deliver(String body) throws Exception {
        long start = System.nanoTime();
        int status = bundle.deliverWebhook(SECRET, body).status();
        if (status != 200) {
            throw new IllegalStateException("webhook answered " + status);
        }
        return millisSince(start);
    }

    private interface Task {
        long run(int index) throws Exception;
    }

    /** Runs {@code count} tasks on {@link #CLIENTS} threads; returns what each returned. */
    private static List<Long> parallel(int count, Task task) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                results.add(clients.submit(() -> task.run(index)));
            }
            List<Long> values = new ArrayList<>();
            for (Future<Long> result : results) {
                values.add(result.get());
            }
            return values;
        } finally {
            clients.shutdown();
        }
    }

    private void drop(String name, String content) throws Exception {
        Path inbox = Files.createDirectories(directory.resolve("inbox"));
        Path part = Files.writeString(directory.resolve(name + ".part"), content);
        Files.move(part, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static String csv(String prefix, int count) {
        return "referenceId,firstName,lastName,email,city\n" + IntStream.rangeClosed(1, count)
                .mapToObj(i -> prefix + "-" + i + ",Donor,Number" + i + "," + prefix + i + "@example.org,Springfield")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String donorJson(String referenceId) {
        return "{\"referenceId\":\"" + referenceId + "\",\"firstName\":\"Bench\",\"lastName\":\"" + referenceId + "\",\"email\":\""
                + referenceId + "@example.org\"}";
    }

    private void awaitState(String referenceId, SyncState state) {
        bundle.awaitState(SOURCE, referenceId, state);
    }

    private long count(SyncState state) throws Exception {
        return bundle.views().countsByState().get(state);
    }

    /** The requests the sandbox saw, grouped: "2 x GET /api/Contact/Find, 1 x POST /api/Contact/Transaction". */
    private String operations() {
        return sandbox.requests().stream().collect(Collectors.groupingBy(r -> r.method() + " " + r.path()
                        .replaceAll("^/api/Contact/" + SOURCE + "/.*", "/api/Contact/{referenceSource}/{referenceId}")
                        .replaceAll("^/api/Contact/\\d+$", "/api/Contact/{id}"), LinkedHashMap::new,
                Collectors.counting())).entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", "));
    }

    /** Polls every 50 ms for at most 15 minutes: the figures come from the run, the wait only bounds it. */
    private static void await(String what, Check check) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
        while (!check.done()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private interface Check {
        boolean done() throws Exception;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static long perSecond(long count, long millis) {
        return count * 1000 / Math.max(1, millis);
    }

    private static long percentile(List<Long> sorted, int percentile) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1));
    }

    /** The whole JVM's CPU time (bundle, sandbox, clients): on a machine shared with other builds it varies far less than the rate. */
    private static long processCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
    }

    private static String cpuPer(long cpuAtStart, int count, String what) {
        return String.format("%.1f ms of CPU per %s, the JVM's whole", (processCpuMillis() - cpuAtStart) / (double) count, what);
    }

    private static long peakHeapMegabytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() / (1024 * 1024);
    }

    private static long liveHeapMegabytes() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    private void stop() {
        if (bundle != null) {
            bundle.close();
        }
        sandbox.stop();
    }

    private String report() {
        StringBuilder report = new StringBuilder("# Benchmark results\n\n")
                .append("Written by `mvn -B -Pbench test-compile exec:exec` (see README.md beside this file) on ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(": Java ")
                .append(System.getProperty("java.version")).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores (shared with other builds: times vary, request counts do not); embedded sandbox in the same JVM, no ")
                .append("latency, budget not limiting; H2 file database; default settings (sync.batch.size 250, sync.concurrency 4).")
                .append("\n\n| measure | result |\n|---|---|\n");
        figures.forEach((measure, result) -> report.append("| ").append(measure).append(" | ").append(result).append(" |\n"));
        return report.toString();
    }
}
