package org.contactsync.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpServer;

/**
 * A local emulator of the Virtuous CRM+ REST API as shared/reference/virtuous-api.md describes it, for the bundle's tests
 * and its local run. Contact Transactions are held until {@link #runBatch()} (the "nightly batch") matches or creates
 * their Contacts and sends the contactCreate/contactUpdate webhooks.
 *
 * <p>Configured through JavaBean setters so it can be declared as a bean; settings other than the port and the batch
 * interval may also be changed while it runs. It listens on the loopback interface only.
 */
public class VirtuousSandbox {

    private static final System.Logger LOG = System.getLogger(VirtuousSandbox.class.getName());
    private static final int HTTP_THREADS = 8;

    private final SandboxSettings settings = new SandboxSettings();
    private final ApiErrors errors = new ApiErrors(settings);
    private final ContactStore store = new ContactStore(settings, new RecordIds());
    private final TransactionHold hold = new TransactionHold();
    private final WebhookSubscriptions webhooks = new WebhookSubscriptions();
    private final WebhookDispatcher dispatcher = new WebhookDispatcher(settings, webhooks);
    private final NightlyBatch batch = new NightlyBatch(hold, store, dispatcher);
    private final RateLimiter rateLimiter = new RateLimiter(settings);
    private final RequestLog requestLog = new RequestLog();

    private int port;
    private long batchIntervalSeconds;
    private HttpServer server;
    private ExecutorService httpThreads;
    private ScheduledExecutorService batchScheduler;

    /** 0 (the default) picks a free port at {@link #start()}. */
    public synchronized void setPort(int port) {
        this.port = port;
    }

    /** The listening port once started, else the configured one. */
    public synchronized int getPort() {
        return server == null ? port : server.getAddress().getPort();
    }

    public String getBaseUrl() {
        return "http://localhost:" + getPort();
    }

    /** The Bearer token accepted; when blank at {@link #start()} a random one is generated. */
    public void setApiKey(String apiKey) {
        settings.apiKey(apiKey);
    }

    public String getApiKey() {
        return settings.apiKey();
    }

    /** The organisation's hourly request budget, 5000 by default. */
    public void setRateLimitPerHour(int rateLimitPerHour) {
        settings.rateLimitPerHour(rateLimitPerHour);
    }

    /** The clock behind every timestamp and the rate window; system UTC by default. */
    public void setClock(Clock clock) {
        settings.clock(clock);
    }

    /** The header carrying the webhook signature, {@code X-Virtuous-Signature} by default (the real name is unpublished). */
    public void setSignatureHeader(String signatureHeader) {
        settings.signatureHeader(signatureHeader);
    }

    /** Above 0, {@link #runBatch()} runs on this period from {@link #start()}, as in a demo run; 0 (default) never. */
    public synchronized void setBatchIntervalSeconds(long batchIntervalSeconds) {
        this.batchIntervalSeconds = batchIntervalSeconds;
    }

    /** False simulates lost webhooks: deliveries are recorded as dropped and not sent. True by default. */
    public void setWebhookDeliveryEnabled(boolean webhookDeliveryEnabled) {
        settings.webhookDeliveryEnabled(webhookDeliveryEnabled);
    }

    /** {@code legacy} (default): {@code {"message", "modelState"}} bodies; {@code target}: {@code {"error": {...}}} bodies. */
    public void setErrorStyle(String errorStyle) {
        settings.errorStyle(ErrorStyle.parse(errorStyle));
    }

    /**
     * What {@code PUT} leaves a property out of the body to mean. {@link PutSemantics#REPLACE} by default: it is what
     * the spec and the Postman docs state (virtuous-api.md §3.4), and the stricter of the two for a client's tests,
     * since a partial body then visibly clears data. {@link PutSemantics#PATCH} is the live API as observed.
     */
    public void setPutSemantics(PutSemantics putSemantics) {
        settings.putSemantics(putSemantics);
    }

    public synchronized void start() {
        if (server != null) {
            return;
        }
        if (settings.apiKey() == null || settings.apiKey().isBlank()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            settings.apiKey("sandbox-" + HexFormat.of().formatHex(random));
        }
        ApiRouter api = new ApiRouter(errors);
        new ContactEndpoints(store, hold, settings, errors).register(api);
        new ContactPartEndpoints(store, settings, errors).register(api);
        new WebhookEndpoints(webhooks, errors).register(api);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + port, e);
        }
        server.createContext("/api", new ApiHandler(settings, rateLimiter, requestLog, api, errors));
        server.createContext("/sandbox", new AdminHandler(batch, store, hold, errors));
        server.createContext("/", exchange -> {
            try (exchange) {
                ApiResponse.empty(404).writeTo(exchange);
            }
        });
        httpThreads = Executors.newFixedThreadPool(HTTP_THREADS, daemonThreads("virtuous-sandbox-http"));
        server.setExecutor(httpThreads);
        server.start();
        if (batchIntervalSeconds > 0) {
            batchScheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("virtuous-sandbox-batch"));
            batchScheduler.scheduleWithFixedDelay(this::runScheduledBatch, batchIntervalSeconds, batchIntervalSeconds, TimeUnit.SECONDS);
        }
    }

    public synchronized void stop() {
        if (server == null) {
            return;
        }
        if (batchScheduler != null) {
            batchScheduler.shutdownNow();
            batchScheduler = null;
        }
        server.stop(0);
        httpThreads.shutdownNow();
        server = null;
        httpThreads = null;
    }

    /**
     * Creates a Contact directly, as a staff user would in the UI: no matching and no webhook. Takes the flat fields of
     * a Transaction payload ({@code referenceSource} + {@code referenceId} become a contactReferences entry,
     * {@code tags} is "a;b").
     *
     * @throws IllegalArgumentException when the Transaction endpoint would refuse the fields (unknown contactType,
     *                                  malformed email) or another Contact already carries the reference pair
     */
    public long seedContact(Map<String, Object> fields) {
        ContactTransaction contact = ContactTransaction.of(fields);
        List<FieldError> problems = TransactionValidator.validate(contact, "");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(FieldError::message).collect(Collectors.joining(" ")));
        }
        return store.seed(contact);
    }

    /** The Contact in the GET /api/Contact/{id} shape, or null. Like every map here, typed as Jackson parses the wire JSON. */
    public Map<String, Object> contact(long id) {
        return store.stored(id).map(SandboxJson::asParsed).orElse(null);
    }

    public List<Map<String, Object>> contacts() {
        return SandboxJson.asParsed(store.all());
    }

    /** The Transaction payloads waiting for the batch, Batch items with their top-level referenceSource. */
    public List<Map<String, Object>> heldTransactions() {
        return hold.payloads();
    }

    public int contactCountForReference(String referenceSource, String referenceId) {
        return store.countForReference(new ContactReference(referenceSource, referenceId));
    }

    /** The "nightly batch": imports every held Transaction, then delivers the webhooks before returning. */
    public List<BatchResult> runBatch() {
        return batch.run();
    }

    /** The webhook subscriptions in the shape {@code GET /api/Webhook/{id}} returns, which the API itself cannot list. */
    public List<Map<String, Object>> webhooks() {
        return SandboxJson.asParsed(webhooks.all().stream().map(WebhookSubscription::toJson).toList());
    }

    public List<RecordedRequest> requests() {
        return requestLog.all();
    }

    public void clearRequests() {
        requestLog.clear();
    }

    /** How many /api requests had this method and a path starting with {@code pathPrefix} (case-insensitive, like the routes). */
    public long requestCount(String method, String pathPrefix) {
        return requestLog.count(method, pathPrefix);
    }

    public List<WebhookDelivery> deliveries() {
        return dispatcher.deliveries();
    }

    private void runScheduledBatch() {
        try {
            List<BatchResult> results = batch.run();
            if (!results.isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "Sandbox nightly batch imported {0} transaction(s)", results.size());
            }
        } catch (RuntimeException e) {
            // An exception would cancel the schedule; the next period should still run.
            LOG.log(System.Logger.Level.ERROR, "Sandbox nightly batch failed", e);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
