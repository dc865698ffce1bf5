package org.contactsync.testing;

import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.contactsync.ContactSyncApplication;
import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.ledger.Admissions;
import org.contactsync.ledger.Claims;
import org.contactsync.ledger.DonorChanges;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.ledger.SyncState;

import static org.awaitility.Awaitility.await;

/**
 * The bundle as the README's run command starts it (Camel Main, application.properties, the YAML routes), with
 * a database and inbox of the test's own and Virtuous at the given base URL. Restarting means a new instance
 * over the same directory: a real restart, nothing carried over in memory.
 */
public final class SyncBundle implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * HTTP/1.1, as a donation platform posts and Virtuous delivers a webhook: the JDK client's default, an h2c upgrade,
     * would carry every thread's requests on one HTTP/2 connection, which the bundle's server reads on one event loop.
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The status page's and operator API's credentials every bundle gets; get, post and delete send them to /sync/. */
    public static final String OPERATOR = "operator";
    public static final String OPERATOR_PASSWORD = "operator-test-password";

    private final Main main = new Main();
    private final int port;
    private final int managementPort;
    private final Path directory;
    private final TestClock clock;

    private SyncBundle(Path directory, String virtuousBaseUrl, String apiKey, Map<String, String> overrides, TestClock clock)
            throws Exception {
        this.directory = directory;
        this.clock = clock;
        this.port = freePort();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("camel.server.port", String.valueOf(port));
        this.managementPort = freePort();
        properties.put("camel.management.port", String.valueOf(managementPort));
        properties.put("virtuous.api.base-url", virtuousBaseUrl);
        properties.put("virtuous.api.key", apiKey);
        properties.put("sync.datasource.url", "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath());
        properties.put("sync.inbox.dir", directory.resolve("inbox").toString());
        properties.put("sync.retry.initial-delay-ms", "10");
        properties.put("sync.retry.max-delay-ms", "50");
        properties.put("sync.clock", "testClock");
        properties.put("sync.status.username", OPERATOR);
        properties.put("sync.status.password", OPERATOR_PASSWORD);
        // the organisation is checked only when a test asks (DriftGuardTest): a check of its own, at start, would add
        // four requests to those the tests count and could take a fault a test planned for a donor
        properties.put("sync.drift.check-period", "0s");
        properties.putAll(overrides);
        main.bind("testClock", clock);
        ContactSyncApplication.configure(main);
        properties.forEach(main::addOverrideProperty);
        main.start();
    }

    public static SyncBundle start(Path directory, String virtuousBaseUrl, String apiKey, Map<String, String> overrides) throws Exception {
        return start(directory, virtuousBaseUrl, apiKey, overrides, new TestClock());
    }

    /** With the given clock: a restarted bundle keeps the time its predecessor had reached. */
    public static SyncBundle start(Path directory, String virtuousBaseUrl, String apiKey, Map<String, String> overrides,
            TestClock clock) throws Exception {
        return new SyncBundle(directory, virtuousBaseUrl, apiKey, overrides, clock);
    }

    public TestClock clock() {
        return clock;
    }

    /** Runs the pending poll now, as its Quartz schedule would, and returns once it is done. */
    public void poll() throws java.io.IOException {
        try (var template = context().createProducerTemplate()) {
            template.sendBody("direct:virtuous-sync-pending-poll", null);
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public Path directory() {
        return directory;
    }

    public SyncLedger ledger() {
        return bean("ledger", SyncLedger.class);
    }

    public Admissions admissions() {
        return bean("admissions", Admissions.class);
    }

    public Claims claims() {
        return bean("claims", Claims.class);
    }

    public LedgerViews views() {
        return bean("ledger-views", LedgerViews.class);
    }

    /** One of the bundle's beans, by its name under the default prefix. */
    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType("virtuous-sync-" + name, type);
    }

    public LedgerEntry entry(String referenceSource, String referenceId) throws Exception {
        return ledger().entry(new ReferencePair(referenceSource, referenceId));
    }

    /**
     * Waits until the donor reaches the state, and returns its row. PENDING means its submit was answered 200: a donor
     * goes PENDING (marked sent) just before its request leaves, and a test reads the sandbox after the answer.
     */
    public LedgerEntry awaitState(String referenceSource, String referenceId, SyncState state) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> entry(referenceSource, referenceId),
                entry -> entry != null && entry.state() == state && (state != SyncState.PENDING || entry.isSubmitAccepted()));
    }

    /** Waits until the donor is SYNCED with everything it carries applied to its Contact (nothing left to update). */
    public LedgerEntry awaitApplied(String referenceSource, String referenceId) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> entry(referenceSource, referenceId),
                entry -> entry != null && entry.state() == SyncState.SYNCED && DonorChanges.between(entry.baseline(), entry.donor()).isEmpty());
    }

    public List<DeadLetter> deadLetters() throws Exception {
        return context().getRegistry().lookupByNameAndType("virtuous-sync-dead-letters", DeadLetterStore.class).list(1000);
    }

    public Response post(String path, String json) throws IOException, InterruptedException {
        return post(path, json, Map.of());
    }

    public Response post(String path, String json, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** A webhook delivery as Virtuous signs it ({@link #signature}), in X-Virtuous-Signature. */
    public Response deliverWebhook(String secret, String json) throws IOException, InterruptedException {
        return post("/webhooks/virtuous", json, Map.of("X-Virtuous-Signature", signature(secret, json)));
    }

    /** The body's HMAC-SHA256 under {@code secret}, base64: how Virtuous signs a webhook delivery. */
    public static String signature(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public Response delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE().build());
    }

    /** Only the operator's paths get the credentials: intake and webhooks must work without them. */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (path.startsWith("/sync/")) {
            request.header("Authorization", basic(OPERATOR, OPERATOR_PASSWORD));
        }
        return request;
    }

    public static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    /** From the management server: /observe/health/ready, /observe/metrics. */
    public Response observe(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).GET().build());
    }

    private static Response send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    @Override
    public void close() {
        main.stop();
    }

    /**
     * A port free now, below Linux's ephemeral range (32768 and up). The bundle binds it seconds later; a port the kernel
     * picked (port 0) could meanwhile become the local end of an outgoing connection, the tests' HTTP/1.1 clients opening
     * one per request in flight, and the bundle's start would fail with "Address already in use".
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (BindException taken) {
                // in use: another one
            }
        }
        throw new IOException("no free port found between 20000 and 31999");
    }

    /** An HTTP answer, with its JSON body readable as a map. */
    public record Response(int status, String body) {

        public Map<String, Object> json() throws IOException {
            return JSON.readValue(body, new TypeReference<>() { });
        }
    }
}
