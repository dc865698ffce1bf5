package org.contactsync;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.PostgresServer;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two bundle instances sharing one real PostgreSQL (set up as docker/postgres.env says) and one Virtuous sandbox, as
 * the two nodes of docker/compose.yaml's cluster profile would: donors and webhooks reach either node or both at once, and both nodes' poll
 * schedules fire. Virtuous must see one Transaction per donor, one poll per schedule and one read per stored webhook event,
 * and each donor ends SYNCED once.
 */
class ClusterTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String SECRET = "cluster-secret";
    private static final int DONORS = 40;

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final TestClock clock = new TestClock();
    private final ExecutorService senders = Executors.newFixedThreadPool(8);
    private PostgresServer postgres;
    private SyncBundle a;
    private SyncBundle b;

    @BeforeEach
    void start() throws Exception {
        postgres = PostgresServer.start();
        sandbox.setPort(0);
        sandbox.start();
        // webhooks are delivered by the test, to the node it chooses
        sandbox.setWebhookDeliveryEnabled(false);
        a = startNode("a");
        b = startNode("b");
    }

    @AfterEach
    void stop() throws Exception {
        senders.shutdownNow();
        for (AutoCloseable closeable : new AutoCloseable[] {b, a, sandbox::stop, postgres}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    private SyncBundle startNode(String name) throws Exception {
        return SyncBundle.start(directory.resolve(name), sandbox.getBaseUrl(), sandbox.getApiKey(), Map.of(
                "sync.datasource.url", postgres.url(),
                "sync.datasource.username", postgres.username(),
                "sync.datasource.password", postgres.password(),
                // one JVM holds both nodes here, and Quartz keeps its schedulers per JVM by name
                "camel.main.name", "contact-sync-" + name,
                "sync.cluster.node-name", name,
                "sync.webhook.secret", SECRET,
                "sync.redrive.period-ms", "200",
                "sync.claim-renew-ms", "500",
                "sync.webhook.read-period-ms", "200",
                // both nodes' schedules fire every two seconds, at the same instants
                "sync.poll.cron", "0/2 * * * * ?"), clock);
    }

    @Test
    void twoNodesSubmitEachDonorOncePollOncePerScheduleAndResolveEachDonorOnce() throws Exception {
        List<String> ids = IntStream.rangeClosed(1, DONORS).mapToObj(i -> String.format("cl-%02d", i)).toList();
        // 1-12 to a, 13-24 to b, 25-40 to both at the same moment
        all(ids.stream().map(id -> {
            int n = number(id);
            List<SyncBundle> nodes = n <= 12 ? List.of(a) : n <= 24 ? List.of(b) : List.of(a, b);
            return nodes.stream().map(node -> (Callable<Object>) () -> node.post("/donors", donor(id)));
        }).flatMap(Function.identity()).toList());
        for (String id : ids) {
            a.awaitState(SOURCE, id, SyncState.PENDING);
        }

        Map<Object, Long> transactions = sandbox.heldTransactions().stream()
                .collect(Collectors.groupingBy(t -> t.get("referenceId"), Collectors.counting()));
        assertThat(transactions).as("one Transaction per donor").hasSize(DONORS).allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
        assertThat(sandbox.requestCount("POST", "/api/Contact/Transaction")).isEqualTo(DONORS);

        Map<String, Long> contactIds = sandbox.runBatch().stream()
                .collect(Collectors.toMap(BatchResult::referenceId, BatchResult::contactId));
        // 1-10 confirmed to a, 11-20 to b, 21-28 to both at the same moment; 29-40 lost: the poll finds them
        all(ids.stream().filter(id -> number(id) <= 28).map(id -> {
            int n = number(id);
            List<SyncBundle> nodes = n <= 10 ? List.of(a) : n <= 20 ? List.of(b) : List.of(a, b);
            String event = envelope(contactIds.get(id), id);
            return nodes.stream().map(node -> (Callable<Object>) () -> deliver(node, event));
        }).flatMap(Function.identity()).toList());
        for (String id : ids.subList(0, 28)) {
            assertThat(b.awaitState(SOURCE, id, SyncState.SYNCED).contactId()).isEqualTo(contactIds.get(id));
        }
        assertThat(sandbox.requestCount("POST", "/api/Contact/Query")).as("nothing was due for the poll yet").isZero();

        clock.advance(Duration.ofHours(7));
        for (String id : ids.subList(28, DONORS)) {
            assertThat(a.awaitState(SOURCE, id, SyncState.SYNCED).resolvedBy()).isEqualTo("poll-query");
        }
        // the schedules of both nodes fire twice more: nobody polls again
        OffsetDateTime resolvedAt = lastPollFireTime();
        await().atMost(Duration.ofSeconds(20)).until(this::lastPollFireTime, fired -> fired.isAfter(resolvedAt.plusSeconds(3)));

        assertThat(sandbox.requestCount("POST", "/api/Contact/Query")).as("one Contact Query, by one node, for the one schedule with donors due")
                .isEqualTo(1);
        assertThat(sandbox.requestCount("GET", "/api/Contact/" + SOURCE)).as("no donor polled by reference").isZero();
        assertThat(sandbox.requestCount("POST", "/api/Contact/Transaction")).isEqualTo(DONORS);
        for (String id : ids) {
            assertThat(a.ledger().history(new ReferencePair(SOURCE, id))).as(id).extracting(step -> step.get("state"))
                    .containsExactly("RECEIVED", "PENDING", "SYNCED");
            assertThat(a.entry(SOURCE, id).contactId()).isEqualTo(contactIds.get(id));
            assertThat(sandbox.contactCountForReference(SOURCE, id)).isEqualTo(1);
        }
        assertThat(a.deadLetters()).isEmpty();

        b.post("/donors", "{\"referenceId\":\"cl-bad\",\"firstName\":\"Ada\",\"email\":\"not-an-email\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> a.get("/sync/dead-letters").body(), body -> body.contains("cl-bad"));
        assertThat(a.deadLetters()).as("the dead letter b stored, as a reads it").singleElement()
                .extracting(DeadLetter::referenceId).isEqualTo("cl-bad");

        // events without contactReferences, each delivered to both nodes: stored once, read by one node once
        List<String> unreferenced = IntStream.rangeClosed(41, 46).mapToObj(i -> "cl-" + i).toList();
        for (String id : unreferenced) {
            a.post("/donors", donor(id));
            a.awaitState(SOURCE, id, SyncState.PENDING);
        }
        Map<String, Long> imported = sandbox.runBatch().stream().collect(Collectors.toMap(BatchResult::referenceId, BatchResult::contactId));
        for (SyncBundle node : List.of(a, b)) {
            node.context().getRouteController().suspendRoute("virtuous-sync-webhook-contact-read");
        }
        all(unreferenced.stream().flatMap(id -> Stream.of(a, b).map(node -> (Callable<Object>) () ->
                deliver(node, "{\"event\":\"ContactCreate\",\"contact\":{\"id\":" + imported.get(id) + "}}"))).toList());
        for (SyncBundle node : List.of(a, b)) {
            node.context().getRouteController().resumeRoute("virtuous-sync-webhook-contact-read");
        }
        for (String id : unreferenced) {
            assertThat(b.awaitState(SOURCE, id, SyncState.SYNCED).contactId()).isEqualTo(imported.get(id));
            assertThat(sandbox.requests()).as(id + "'s Contact read once, by one node")
                    .filteredOn(request -> request.path().equals("/api/Contact/" + imported.get(id))).hasSize(1);
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> budgetNodes(a) == 2 && budgetNodes(b) == 2);
        assertThat(governor(a).status().get("ourShare")).as("half the bundle's share each").isEqualTo(625);
        b.close();
        b = null;
        await().atMost(Duration.ofSeconds(20)).until(() -> budgetNodes(a) == 1);
        assertThat(governor(a).status().get("ourShare")).as("the whole share once b has left").isEqualTo(1250);
    }

    private static RateGovernor governor(SyncBundle node) {
        return node.context().getRegistry().lookupByNameAndType("virtuous-sync-rate-governor", RateGovernor.class);
    }

    private static int budgetNodes(SyncBundle node) {
        return (Integer) governor(node).status().get("nodes");
    }

    /** Runs the calls at once, on as many threads, and waits for all of them. */
    private void all(List<Callable<Object>> calls) throws Exception {
        for (Future<Object> future : senders.invokeAll(calls)) {
            Object answer = future.get();
            assertThat(((SyncBundle.Response) answer).status()).as(String.valueOf(answer)).isBetween(200, 299);
        }
    }

    private OffsetDateTime lastPollFireTime() throws Exception {
        try (Connection c = postgres.connect(); Statement statement = c.createStatement();
             ResultSet row = statement.executeQuery("SELECT fire_time FROM schedule_run WHERE name = 'pending-poll'")) {
            return row.next() ? row.getObject(1, OffsetDateTime.class) : OffsetDateTime.MIN;
        }
    }

    private static int number(String id) {
        return Integer.parseInt(id.substring(3));
    }

    private static String donor(String id) {
        return "{\"referenceId\":\"" + id + "\",\"firstName\":\"Cluster\",\"lastName\":\"Donor " + id + "\"}";
    }

    private static String envelope(long contactId, String referenceId) {
        return "{\"event\":\"ContactCreate\",\"contact\":{\"id\":" + contactId + ",\"contactReferences\":[{\"source\":\"" + SOURCE
                + "\",\"id\":\"" + referenceId + "\"}]}}";
    }

    private static SyncBundle.Response deliver(SyncBundle node, String body) throws Exception {
        return node.deliverWebhook(SECRET, body);
    }
}
