package org.contactsync.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

/**
 * A local emulator of the Virtuous CRM+ REST API as docs/virtuous.md describes it, for the bundle's tests
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
    private final RequestHooks hooks = new RequestHooks();
    private final Faults faults = new Faults();

    private int port;
    private long batchIntervalSeconds;
    private HttpServer server;
    private ExecutorService httpThreads;
    private ScheduledExecutorService delayedAnswers;
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

    /**
     * The Bearer token accepted; when blank at {@link #start()} a random one is generated. Changed while running, the
     * old key is refused with 401 from the next request on, as a revoked key is, until the client uses the new one.
     */
    public void setApiKey(String apiKey) {
        settings.apiKey(apiKey);
    }

    public String getApiKey() {
        return settings.apiKey();
    }

    /**
     * The organisation's hourly request budget, 5000 by default; it may be changed while running, and counts against
     * what the current hour has already spent. The window is a clock hour of the {@link #setClock clock}.
     */
    public void setRateLimitPerHour(int rateLimitPerHour) {
        settings.rateLimitPerHour(rateLimitPerHour);
    }

    /**
     * The budget's window in seconds, an hour by default: shorter compresses the hour for a bench (36: 100 times), the
     * budget then resetting every that many seconds since the epoch.
     */
    public void setRateWindowSeconds(long seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("the rate window must be at least a second, was " + seconds);
        }
        settings.rateWindowSeconds(seconds);
    }

    /** Restores the whole budget of the current hour, as if nothing had been spent. */
    public void resetRateLimit() {
        rateLimiter.reset();
    }

    /**
     * Spends budget as the organisation's other integrations do, since every key of the organisation shares it
     * (virtuous-api.md §5.2): the X-RateLimit-Remaining the integration sees drops by more than its own requests.
     */
    public void consumeRateBudget(int requests) {
        rateLimiter.spend(requests);
    }

    /** Spends as {@link #consumeRateBudget} does, as much as leaves only {@code requests} of the current window's budget. */
    public void leaveRateBudget(int requests) {
        rateLimiter.leave(requests);
    }

    /**
     * The next {@code requests} /api requests are answered with {@code status} (401, 403 or 5xx) instead of being
     * handled, spending no budget. Like every planned fault, they are served one per request, in the order asked for.
     */
    public void failNext(int requests, int status) {
        if (status != 401 && status != 403 && (status < 500 || status > 599)) {
            throw new IllegalArgumentException("failNext injects 401, 403 or 5xx; 429 is throttleNext, other statuses come from the endpoints: " + status);
        }
        faults.plan(new Faults.Failure(status), requests);
    }

    /** The next {@code requests} /api requests are answered 429 with this {@code Retry-After}, instead of being handled. */
    public void throttleNext(int requests, long retryAfterSeconds) {
        faults.plan(new Faults.Throttle(retryAfterSeconds), requests);
    }

    /** The connections of the next {@code requests} /api requests are closed without an answer, before they are handled. */
    public void resetNextConnections(int requests) {
        faults.plan(new Faults.Reset(), requests);
    }

    /**
     * The next {@code requests} /api requests are handled (a write takes effect), but their answers are withheld for
     * {@code hold}, longer than the client's timeout, and the connection is then closed without one: the case where
     * a client cannot know whether its write happened.
     */
    public void timeOutNext(int requests, Duration hold) {
        faults.plan(new Faults.TimeOut(hold), requests);
    }

    /**
     * The next request with this method and a path starting with {@code pathPrefix} (case-insensitive) is answered with
     * exactly {@code status} and {@code body} ("" for none) instead of being handled: what a test needs to script one
     * endpoint's odd answer (a Query answering 404 with no body, or 200 with {@code {}}), the other requests unaffected.
     */
    public void answerNext(String method, String pathPrefix, int status, String body) {
        faults.plan(new Faults.Canned(status, body), 1, method, pathPrefix);
    }

    /** The connection of the next request with this method and path prefix is closed without an answer, before it is handled. */
    public void resetNext(String method, String pathPrefix) {
        faults.plan(new Faults.Reset(), 1, method, pathPrefix);
    }

    /**
     * The next request with this method and path prefix is handled (a write takes effect), but its answer is withheld for
     * {@code hold} and the connection then closed without one.
     */
    public void timeOutNext(String method, String pathPrefix, Duration hold) {
        faults.plan(new Faults.TimeOut(hold), 1, method, pathPrefix);
    }

    /** The next request with this method and path prefix is handled (a write takes effect), then answered {@code status}. */
    public void failNextAfterHandling(String method, String pathPrefix, int status) {
        faults.plan(new Faults.FailureAfter(status), 1, method, pathPrefix);
    }

    /**
     * Random faults, for a run that no planned fault could script: each /api request without a planned fault (which
     * keeps priority) gets one with probability {@code rate}, drawn from a Random seeded with {@code seed}: its
     * connection reset before it is handled, a 503 before it is handled, a 500 after it was handled, or its answer
     * withheld for {@code hold} (longer than the client's timeout) after it was handled. The three last leave the
     * client unsure or wrong about whether its write happened. A rate of 0 (the default) switches them off.
     */
    public void setRandomFaults(double rate, long seed, Duration hold) {
        faults.random(rate, seed, hold);
    }

    /** How many faults of each kind were served so far, planned and random, by a short name of the kind. */
    public Map<String, Integer> faultsServed() {
        return faults.served();
    }

    /** Every /api answer is sent this much later, 0 (the default) for none. */
    public void setLatencyMillis(long latencyMillis) {
        settings.latencyMillis(latencyMillis);
    }

    /** The clock behind every timestamp and the rate window; system UTC by default. */
    public void setClock(Clock clock) {
        settings.clock(clock);
    }

    /** The header carrying the webhook signature, {@code X-Virtuous-Signature} by default (the real name is unpublished). */
    public void setSignatureHeader(String signatureHeader) {
        settings.signatureHeader(signatureHeader);
    }

    /**
     * Renames a value of one of the organisation's lists while the sandbox runs, as an administrator does in the UI:
     * {@code contact-types}, {@code contact-method-types}, {@code custom-fields} or {@code query-options} (a Contact
     * query condition's parameter). The lookup endpoints serve the new name from the next request on, the Contacts
     * that had the old one read with the new one (as a rename in the UI leaves them [INF]), and the Transaction and
     * Batch endpoints refuse the old one (counted by {@link #organisationRefusals()}).
     */
    public void renameOrganisationValue(String list, String from, String to) {
        settings.organisation().rename(list, from, to);
        store.renamed(list, from, to);
    }

    /** Replaces one of the organisation's lists (see {@link #renameOrganisationValue}) with these names. */
    public void setOrganisationList(String list, List<String> names) {
        settings.organisation().replace(list, names);
    }

    /** The names one of the organisation's lists holds now. */
    public List<String> organisationList(String list) {
        return settings.organisation().names(list);
    }

    /**
     * How many values of Transaction and Batch payloads were refused for not being the organisation's (a Contact Type,
     * a contact method type, a custom field it lacks): what Virtuous's import would reject.
     */
    public int organisationRefusals() {
        return settings.organisation().refusals();
    }

    /** Above 0, {@link #runBatch()} runs on this period from {@link #start()}, as in a demo run; 0 (default) never. */
    public synchronized void setBatchIntervalSeconds(long batchIntervalSeconds) {
        this.batchIntervalSeconds = batchIntervalSeconds;
    }

    /** False simulates lost webhooks: deliveries are recorded as dropped and not sent. True by default. */
    public void setWebhookDeliveryEnabled(boolean webhookDeliveryEnabled) {
        settings.webhookDeliveryEnabled(webhookDeliveryEnabled);
    }

    /**
     * Whether delivered Contacts carry {@code contactReferences} (the default, the shape GET answers with). Off: the
     * envelope seen from a production receiver (virtuous-api.md §4.2), whose Contact shows none, so the integration has
     * to find out by other means which of its donors an event is about.
     */
    public void setWebhookReferencesIncluded(boolean webhookReferencesIncluded) {
        settings.webhookReferencesIncluded(webhookReferencesIncluded);
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
        new ContactQueryEndpoints(store, errors, settings.organisation()).register(api);
        new WebhookEndpoints(webhooks, errors).register(api);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + port, e);
        }
        delayedAnswers = Executors.newSingleThreadScheduledExecutor(daemonThreads("virtuous-sandbox-delayed-answers"));
        server.createContext("/api", new ApiHandler(settings, rateLimiter, requestLog, api, hooks, faults, delayedAnswers, errors));
        server.createContext("/sandbox", new AdminHandler(batch, store, hold, dispatcher, webhooks, faults, rateLimiter, errors, settings.organisation()));
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
        delayedAnswers.shutdownNow();
        server = null;
        httpThreads = null;
        delayedAnswers = null;
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
        List<FieldError> problems = TransactionValidator.validate(contact, "", settings.organisation());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.stream().map(FieldError::message).collect(Collectors.joining(" ")));
        }
        return store.seed(contact);
    }

    /**
     * Edits a Contact as another user would in the UI, e.g. between the integration's GET and its PUT (see
     * {@link #onNextRequest}): {@code edit} changes the Contact's GET shape, which is then written whole. The write
     * stamps modifiedDateTimeUtc, by "Sandbox Staff", and follows the API's rules, so a new individual or contact method
     * is an item without an id; addresses are not part of the Contact's write model (see {@link #addAddress}).
     *
     * @return the Contact as stored
     * @throws IllegalArgumentException when the API would refuse the edit (the Contact is merged or deleted, a value
     *                                  has the wrong type or fails validation, or belongs to another Contact)
     */
    public Map<String, Object> editContact(long id, Consumer<Map<String, Object>> edit) {
        Map<String, Object> contact = store.byId(id).map(SandboxJson::asParsed).orElseThrow(RequestRefused::notFound);
        edit.accept(contact);
        ObjectNode body = bind(BindingModel.CONTACT, contact);
        return SandboxJson.asParsed(store.update(id, PutSemantics.REPLACE, ContactStore.STAFF_USER,
                (stored, write) -> stored.apply(body, write)).toJson());
    }

    /**
     * Adds a ContactAddress as a staff user would, with the fields of a {@code POST /api/ContactAddress} body; the
     * first address of a Contact, or one with {@code setAsPrimary}, is its primary.
     *
     * @return the new address's id
     * @throws IllegalArgumentException when the API would refuse it
     */
    public long addAddress(long contactId, Map<String, Object> address) {
        ObjectNode body = bind(BindingModel.CONTACT_ADDRESS, address);
        AtomicLong added = new AtomicLong();
        store.update(contactId, PutSemantics.REPLACE, ContactStore.STAFF_USER, (contact, write) -> added.set(contact.addAddress(body, write).id()));
        return added.get();
    }

    /**
     * Merges one Contact into another as staff do in the UI, since the API cannot (virtuous-api.md §7): the losing
     * Contact gets {@code mergedIntoContactId}, its contactReferences move to the survivor (so a lookup by reference
     * finds that), the API answers 404 for it and its parts from then on, and a contactUpdate webhook carries it.
     */
    public void mergeContact(long losingId, long survivingId) {
        dispatcher.deliver(List.of(store.merge(losingId, survivingId)));
    }

    /** Deletes a Contact: the API answers 404 for it and its parts, and {@link #contact} returns null. */
    public void deleteContact(long id) {
        if (!store.delete(id)) {
            throw new IllegalArgumentException("No Contact " + id);
        }
    }

    /**
     * Runs {@code action} once, just before the sandbox handles the next request with this method and a path starting
     * with {@code pathPrefix} (case-insensitive, like the routes); a request refused for its key or the rate limit does
     * not count. It runs on the request's thread, so a test can write in between, as another user would, e.g.
     * {@code onNextRequest("PUT", "/api/Contact/" + id, () -> sandbox.editContact(id, ...))}.
     */
    public void onNextRequest(String method, String pathPrefix, Runnable action) {
        hooks.add(method, pathPrefix, action);
    }

    /**
     * The Contact in the GET /api/Contact/{id} shape, or null once deleted. A merged Contact is still here, with its
     * {@code mergedIntoContactId}. Like every map here, typed as Jackson parses the wire JSON.
     */
    public Map<String, Object> contact(long id) {
        return store.stored(id).map(SandboxJson::asParsed).orElse(null);
    }

    /** Every Contact, merged ones included. */
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

    /**
     * Per reference pair, as {@code "source:id"}, how many Contact Transactions and Contact Batch items carrying it
     * the API took (answered 200, or handled before a fault hid the answer), each take counted even when it replaced
     * a payload still held for the pair.
     */
    public Map<String, Integer> submissions() {
        return hold.takes();
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

    private static ObjectNode bind(BindingModel model, Map<String, Object> fields) {
        ObjectNode body = SandboxJson.MAPPER.valueToTree(fields);
        List<FieldError> typeErrors = model.typeErrors(body);
        if (!typeErrors.isEmpty()) {
            throw RequestRefused.invalid(typeErrors);
        }
        return body;
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
