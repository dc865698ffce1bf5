package org.contactsync;

import java.time.Clock;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedCamelContext;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.service.ServiceSupport;
import org.contactsync.bundle.BundleRouteBuilder;
import org.contactsync.bundle.ResolvedRouteIds;
import org.contactsync.bundle.ServerPortCheck;
import org.contactsync.bundle.SettingException;
import org.contactsync.bundle.SettingRules;
import org.contactsync.bundle.Settings;
import org.contactsync.alert.AlertRoutes;
import org.contactsync.alert.OverdueAlerts;
import org.contactsync.alert.OverdueHealthCheck;
import org.contactsync.bulk.BulkLoads;
import org.contactsync.bulk.BulkRoutes;
import org.contactsync.bulk.ChunkWorker;
import org.contactsync.cluster.ClaimHeartbeat;
import org.contactsync.cluster.ClusterMembers;
import org.contactsync.cluster.ClusterRoutes;
import org.contactsync.cluster.ScheduleRuns;
import org.contactsync.deadletter.DeadLetterRoutes;
import org.contactsync.deadletter.ReplayPreviews;
import org.contactsync.deadletter.ReplayRoutes;
import org.contactsync.ledger.DeadLetterStore;
import org.contactsync.deadletter.ErrorPolicies;
import org.contactsync.drift.DriftGuard;
import org.contactsync.drift.DriftHealthCheck;
import org.contactsync.drift.DriftRoutes;
import org.contactsync.health.DatabaseHealthCheck;
import org.contactsync.health.RateBudgetHealthCheck;
import org.contactsync.health.SyncHealth;
import org.contactsync.intake.DonorParser;
import org.contactsync.intake.DonorValidator;
import org.contactsync.intake.IntakeReceipt;
import org.contactsync.intake.IntakeRoutes;
import org.contactsync.intake.RequestReader;
import org.contactsync.intake.TextDecoding;
import org.contactsync.ledger.Admissions;
import org.contactsync.ledger.Claims;
import org.contactsync.ledger.ClusterNode;
import org.contactsync.ledger.DriftHolds;
import org.contactsync.ledger.LedgerViews;
import org.contactsync.ledger.OverdueMarks;
import org.contactsync.ledger.Leases;
import org.contactsync.ledger.ReplayTokens;
import org.contactsync.ledger.SyncDatabase;
import org.contactsync.ledger.SyncLedger;
import org.contactsync.live.LivePlan;
import org.contactsync.live.LiveRoutes;
import org.contactsync.lookup.LookupRoutes;
import org.contactsync.metrics.SyncMetrics;
import org.contactsync.poll.PendingPolicy;
import org.contactsync.poll.PendingQuery;
import org.contactsync.poll.PollRoutes;
import org.contactsync.preview.PreviewRoutes;
import org.contactsync.preview.Previews;
import org.contactsync.ratelimit.RateGovernor;
import org.contactsync.resolution.CompletionPool;
import org.contactsync.resolution.MergeCheck;
import org.contactsync.resolution.ResolutionJoin;
import org.contactsync.resolution.ResolutionRepository;
import org.contactsync.resolution.ResolutionRoutes;
import org.contactsync.status.BudgetHistory;
import org.contactsync.status.BundledFile;
import org.contactsync.status.StatusAccess;
import org.contactsync.status.StatusRoutes;
import org.contactsync.status.SyncStatus;
import org.contactsync.submit.SubmitRoutes;
import org.contactsync.submit.Submissions;
import org.contactsync.update.ContactUpdates;
import org.contactsync.update.UpdateRoutes;
import org.contactsync.virtuous.ApiAccessGate;
import org.contactsync.virtuous.ApiAccessHealthCheck;
import org.contactsync.virtuous.VirtuousCall;
import org.contactsync.virtuous.VirtuousCallRoute;
import org.contactsync.virtuous.VirtuousClient;
import org.contactsync.virtuous.VirtuousCredentials;
import org.contactsync.virtuous.VirtuousRequests;
import org.contactsync.webhook.WebhookEvents;
import org.contactsync.webhook.WebhookInbox;
import org.contactsync.webhook.WebhookReceiver;
import org.contactsync.webhook.WebhookRoutes;
import org.contactsync.webhook.WebhookSignature;
import org.contactsync.webhook.WebhookSubscriber;

/**
 * The bundle, as one Camel RoutesBuilder: every part built once from the {@code sync.*} and {@code virtuous.*} settings
 * (wired here, by name, in code the compiler checks), and the Java DSL machinery the YAML flow in
 * {@code classpath:virtuous-sync/*.camel.yaml} calls by its {@code direct:} names. A host adds this class and those route
 * files (docs/embedding.md); it binds only what the YAML names (the aggregator's strategy, repository and completion pool, the intake's
 * receipt, the replay's gathering of its letters), the health checks and the lifecycle hooks, each under the prefix {@code sync.prefix}.
 */
public class VirtuousSync extends BundleRouteBuilder {

    /** Where the route files are on the classpath, for a host's routes-include-pattern. */
    public static final String ROUTES = "classpath:virtuous-sync/*.camel.yaml";

    private static final int COMPLETION_THREADS = 20;

    @Override
    public void configure() throws Exception {
        CamelContext context = getCamelContext();
        // Camel Main logs every property resolved at start with its value, masking the names it knows as secrets by
        // their last part: neither virtuous.api.key (the checks below resolve it) nor sync.datasource.url (a PostgreSQL
        // URL may carry a password), nor sync.alert.endpoint (a Slack webhook URL, a mail password)
        ExtendedCamelContext extension = context.getCamelContextExtension();
        String sensitive = extension.getAdditionalSensitiveKeywords();
        extension.setAdditionalSensitiveKeywords(sensitive == null || sensitive.isBlank() ? "key,url,endpoint" : sensitive + ",key,url,endpoint");
        Settings settings = Settings.of(context.getPropertiesComponent());
        SettingRules.check(settings);
        String prefix = settings.text("sync.prefix");
        Registry registry = context.getRegistry();
        Clock clock = clock(settings, registry);

        SyncDatabase database = database(settings);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                // after the routes: the last donors in flight still commit
                database.close();
            }
        });
        database.migrate();
        context.addService(new ServerPortCheck(context));

        long lease = settings.number("sync.claim-lease-seconds");
        long renew = settings.number("sync.claim-renew-ms");
        ClusterNode node = new ClusterNode(settings.text("sync.cluster.node-name"),
                Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port:8080}}")));
        SyncLedger ledger = new SyncLedger(database, clock, node, lease);
        Claims claims = new Claims(ledger, lease, node);
        Leases leases = new Leases(ledger, lease, node);
        LedgerViews views = new LedgerViews(ledger);
        Admissions admissions = new Admissions(ledger);
        ClaimHeartbeat heartbeat = new ClaimHeartbeat(claims, renew, lease);
        ClusterMembers members = new ClusterMembers(database, node, clock, renew);
        DeadLetterStore deadLetters = new DeadLetterStore(database, ledger, clock);

        VirtuousCredentials credentials = new VirtuousCredentials(context);
        ApiAccessGate gate = new ApiAccessGate(clock, settings.number("virtuous.auth.probe-interval-ms"),
                settings.integer("virtuous.circuit.failure-threshold"), settings.number("virtuous.circuit.open-for-ms"), credentials::isSet);
        RateGovernor governor = new RateGovernor(clock, settings.integer("virtuous.rate.limit-per-hour"), settings.decimal("virtuous.rate.max-share"),
                settings.integer("virtuous.rate.floor"), members, settings.duration("virtuous.rate.window"));
        VirtuousCall call = new VirtuousCall(gate, governor, settings.integer("sync.retry.max-redeliveries"),
                settings.number("sync.retry.initial-delay-ms"), settings.number("sync.retry.max-delay-ms"));
        VirtuousClient client = new VirtuousClient(credentials);
        VirtuousRequests requests = new VirtuousRequests();
        Submissions submissions = new Submissions(database, ledger, requests);
        ContactUpdates updates = new ContactUpdates(ledger, clock, settings.duration("sync.update.recheck-after"));

        MergeCheck merges = new MergeCheck(ledger);
        WebhookInbox inbox = new WebhookInbox(database, node, clock, lease);
        WebhookReceiver receiver = new WebhookReceiver(new WebhookSignature(settings.text("sync.webhook.secret"),
                settings.text("sync.webhook.signature-header")), new WebhookEvents(), ledger, views, merges, settings.integer("sync.webhook.max-bytes"));
        WebhookSubscriber subscriber = new WebhookSubscriber(database, clock, requests, settings.text("sync.webhook.public-url"),
                settings.text("sync.webhook.secret"));
        PendingPolicy policy = new PendingPolicy(leases, views, clock, settings.duration("sync.poll.after"), settings.duration("sync.pending.deadline"),
                settings.integer("sync.poll.batch-size"));
        BulkLoads bulkLoads = new BulkLoads(database, leases, governor, clock, settings.integer("sync.batch.size"));
        // a load whose intake a stop interrupted is sent with the donors the ledger holds
        bulkLoads.recover();
        LivePlan livePlan = new LivePlan(database, bulkLoads, governor, clock, settings.duration("sync.live.max-delay"),
                settings.integer("sync.concurrency"));

        BudgetHistory budgetHistory = new BudgetHistory(governor, clock, settings.integer("sync.status.budget-samples"));
        ApiAccessHealthCheck accessHealth = new ApiAccessHealthCheck(gate);
        DatabaseHealthCheck databaseHealth = new DatabaseHealthCheck(database);
        RateBudgetHealthCheck budgetHealth = new RateBudgetHealthCheck(governor, clock, settings.duration("sync.health.budget-wait-max"));
        OverdueAlerts overdue = new OverdueAlerts(new OverdueMarks(ledger), clock, settings.pendingWarnAfter(), settings.duration("sync.alert.min-interval"),
                settings.text("sync.pending.deadline"));
        OverdueHealthCheck overdueHealth = new OverdueHealthCheck(overdue);
        SyncMetrics metrics = new SyncMetrics(prefix, views, deadLetters, governor, inbox::waiting, overdue::count, clock,
                List.of(accessHealth, databaseHealth, budgetHealth), livePlan::etaSeconds);
        metrics.setCamelContext(context);
        DriftHolds driftHolds = new DriftHolds(ledger);
        DriftGuard drift = new DriftGuard(settings.text("sync.default-contact-type"), settings.text("sync.default-email-type"),
                settings.text("sync.default-phone-type"), driftHolds, clock, metrics::drift);
        PendingQuery query = new PendingQuery(policy, settings.duration("sync.poll.query-overlap"), settings.integer("sync.poll.query-min"),
                drift::queryUsable);
        DonorValidator validator = new DonorValidator(settings.text("sync.reference-source"), settings.text("sync.default-contact-type"),
                settings.text("sync.default-email-type"), settings.text("sync.default-phone-type"), settings.integer("sync.intake.max-field-length"));
        DonorParser parser = new DonorParser(TextDecoding.of("sync.inbox.charset", settings.text("sync.inbox.charset")));
        RequestReader requestReader = new RequestReader(parser, settings.number("sync.intake.max-bytes"), settings.integer("sync.intake.max-items"));
        IntakeReceipt receipt = new IntakeReceipt();
        ResolutionJoin join = new ResolutionJoin(ledger, database.groupCommit());

        // what the YAML names, the health checks, and the hooks Camel finds by their type: each under the prefix
        registry.bind(prefix + "-intake-receipt", receipt);
        registry.bind(prefix + "-route-ids", new ResolvedRouteIds());
        registry.bind(prefix + "-resolution-join", join);
        ResolutionRepository resolutions = new ResolutionRepository(database, ledger);
        registry.bind(prefix + "-resolution-repository", resolutions);
        // as many threads as deliveries can be worked on at once (vert.x's worker pool, which runs platform-http's
        // routes, is 20 by default): their completions then share commits rather than queue for a few threads
        registry.bind(prefix + "-resolution-completions", new CompletionPool(context.getExecutorServiceManager()
                .newFixedThreadPool(this, "resolution", COMPLETION_THREADS)));
        // a replay's split gathers each letter's diff or outcome into one answer
        registry.bind(prefix + "-replay-letters", new GroupedBodyAggregationStrategy());
        registry.bind(prefix + "-access-health", accessHealth);
        registry.bind(prefix + "-database-health", databaseHealth);
        registry.bind(prefix + "-rate-budget-health", budgetHealth);
        registry.bind(prefix + "-drift-health", new DriftHealthCheck(drift));
        registry.bind(prefix + "-overdue-health", overdueHealth);
        registry.bind(prefix + "-claim-heartbeat", heartbeat);
        registry.bind(prefix + "-webhook-inbox", inbox);
        registry.bind(prefix + "-rate-governor", governor);
        registry.bind(prefix + "-access-gate", gate);
        registry.bind(prefix + "-virtuous-call", call);
        // the views tests and hosts read: the ledger's rows, their claims, its counts
        registry.bind(prefix + "-database", database);
        registry.bind(prefix + "-ledger", ledger);
        registry.bind(prefix + "-admissions", admissions);
        registry.bind(prefix + "-claims", claims);
        registry.bind(prefix + "-ledger-views", views);
        registry.bind(prefix + "-dead-letters", deadLetters);
        registry.bind(prefix + "-drift-guard", drift);

        context.addRoutes(new ErrorPolicies(submissions));
        context.addRoutes(new VirtuousCallRoute(gate, governor, client, call, metrics::virtuousCall));
        context.addRoutes(new IntakeRoutes(parser, requestReader, validator, admissions, deadLetters, receipt, livePlan));
        context.addRoutes(new LookupRoutes(heartbeat, governor, requests, ledger, updates, settings.text("sync.email-match"), claims, gate,
                settings.integer("sync.redrive.batch-size")));
        context.addRoutes(new SubmitRoutes(submissions));
        context.addRoutes(new UpdateRoutes(updates, requests, ledger));
        ChunkWorker chunkWorker = new ChunkWorker(bulkLoads, heartbeat, drift);
        context.addRoutes(new BulkRoutes(bulkLoads, chunkWorker, settings.integer("sync.bulk.threshold")));
        context.addRoutes(new LiveRoutes(livePlan, bulkLoads, chunkWorker));
        context.addRoutes(new DriftRoutes(drift, driftHolds, requests, settings.duration("sync.drift.check-period")));
        context.addRoutes(new ResolutionRoutes(join, merges, requests));
        context.addRoutes(new PollRoutes(new ScheduleRuns(database, node, clock), query, policy, requests, ledger, metrics,
                merges, settings.text("sync.pending.deadline")));
        context.addRoutes(new WebhookRoutes(receiver, new WebhookEvents(), inbox, subscriber, query, resolutions, governor, requests,
                metrics, settings.integer("sync.webhook.read-batch-size")));
        context.addRoutes(new DeadLetterRoutes(deadLetters, validator, metrics));
        ReplayTokens replayTokens = new ReplayTokens(database, clock);
        context.addRoutes(new ReplayRoutes(new ReplayPreviews(deadLetters, replayTokens, validator, updates, ledger), replayTokens, deadLetters,
                validator, requests));
        context.addRoutes(new StatusRoutes(new StatusAccess(settings.text("sync.status.username"), settings.text("sync.status.password"),
                settings.flag("sync.status.open")), new SyncStatus(views, policy, governor, budgetHistory, bulkLoads, inbox, drift, overdue, livePlan), views,
                new SyncHealth(), new BundledFile("/status/page.html", "text/html; charset=utf-8"),
                new BundledFile("/virtuous-sync/openapi.yaml", "application/yaml"), budgetHistory));
        context.addRoutes(new ClusterRoutes(heartbeat, members));
        if (!settings.text("sync.alert.endpoint").isEmpty()) {
            context.addRoutes(new AlertRoutes(overdue, settings.text("sync.alert.endpoint")));
        }
        context.addRoutes(new PreviewRoutes(requestReader, new Previews(validator, admissions, governor, clock, settings.text("sync.email-match"),
                settings.integer("sync.bulk.threshold"), settings.integer("sync.batch.size")), requests));
        metrics.bind();
    }

    /** The ledger's database, reached within its timeout; a URL it refuses or cannot reach stops the start in one line. */
    private static SyncDatabase database(Settings settings) {
        try {
            return new SyncDatabase(settings.text("sync.datasource.url"), settings.text("sync.datasource.username"),
                    settings.text("sync.datasource.password"), settings.integer("sync.datasource.pool-size"),
                    settings.number("sync.datasource.connection-timeout-ms"));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SettingException(e.getMessage(), e);
        }
    }

    /** The clock every time-based decision uses: the bean named by {@code sync.clock} (a test's), else the system's. */
    private static Clock clock(Settings settings, Registry registry) {
        String name = settings.text("sync.clock");
        if (name.isEmpty()) {
            return Clock.systemUTC();
        }
        Clock clock = registry.lookupByNameAndType(name, Clock.class);
        if (clock == null) {
            throw new SettingException("sync.clock=" + name + ": must name a java.time.Clock bean, and none is bound under that name");
        }
        return clock;
    }
}
