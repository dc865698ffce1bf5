package org.contactsync;

import java.io.IOException;
import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleHttp;
import org.contactsync.testing.BundleJar;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Camel JBang command of docs/embedding.md with --dev, run by this repository's launcher (jbang/camel) in its own JVM:
 * the CLI runs Camel 4.17.0 from camel-jbang-core, which cannot share this JVM's 4.18 classpath. The routes/ files,
 * application.properties and the bundle's jar are what an engineer passes; the sandbox runs here, and everything is
 * checked over HTTP, as a user would. One CLI start for the class (its JVM is heavy): the tests run in order, the
 * donor first, then a route file edited under --dev.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CamelCliTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Pattern ROUTE_ID = Pattern.compile("^- route:\\s*\\n\\s+id: (\\S+)", Pattern.MULTILINE);
    private static final String OPERATOR_PASSWORD = "cli-operator-password";
    private static final String EDITED = "donor-intake.camel.yaml";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private Process camel;
    private Path log;
    private int port;
    private BundleHttp bundle;
    private List<Path> routeFiles;

    @BeforeAll
    void startTheCli() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.start();
        port = SyncBundle.freePort();
        try (Stream<Path> files = Files.list(PROJECT.resolve("routes"))) {
            routeFiles = files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().toList();
        }

        // the command as docs/embedding.md gives it, in a directory of the test's own: the CLI keeps its state in
        // .camel-jbang/ of the working directory, reads its camel.jbang.* settings only from a relative
        // application.properties, and --dev watches the route files there
        Files.createDirectories(directory.resolve("routes"));
        List<String> command = new ArrayList<>(List.of("sh", PROJECT.resolve("jbang/camel").toString(), "run"));
        for (Path file : routeFiles) {
            Files.copy(file, directory.resolve("routes").resolve(file.getFileName()));
            command.add("routes/" + file.getFileName());
        }
        Files.copy(PROJECT.resolve("application.properties"), directory.resolve("application.properties"));
        command.add("application.properties");
        command.add(BundleJar.write(directory.resolve("virtuous-contact-sync.jar")).toString());
        command.addAll(List.of(
                "--dev",
                // the port only as --port: the subscription below derives from what it sets
                "--port=" + port,
                // the 4.17 CLI with the management server on looks for its HTTP engine on 8080 whatever the port
                // ("No PlatformHttpEngine ... platform-http-router-8080"); on the default ports it serves both (docs/embedding.md)
                "--prop=camel.management.enabled=false",
                "--prop=virtuous.api.base-url=" + sandbox.getBaseUrl(),
                "--prop=sync.webhook.public-url=http://localhost:{{camel.server.port}}",
                "--prop=sync.datasource.url=jdbc:h2:file:" + directory.resolve("db"),
                "--prop=sync.inbox.dir=" + directory.resolve("inbox"),
                // a safety net: a CLI this test could not stop (its JVM killed) still ends on its own
                "--max-seconds=900"));
        log = directory.resolve("camel-run.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // from the environment, as docs/embedding.md says, so the key is on no command line
        builder.environment().put("VIRTUOUS_API_KEY", sandbox.getApiKey());
        builder.environment().put("SYNC_STATUS_PASSWORD", OPERATOR_PASSWORD);
        camel = builder.start();

        bundle = new BundleHttp("http://localhost:" + port, OPERATOR_PASSWORD);
        // the first run resolves the CLI and downloads the camel-* 4.17.0 jars the routes use
        try {
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> {
                        assertThat(camel.isAlive()).as(() -> "camel run exited; " + logTail()).isTrue();
                        return bundle.get("/sync/status").statusCode() == 200;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("camel run never answered GET /sync/status; " + logTail(), e);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (camel != null) {
            // the launcher script may still be resolving the classpath with mvn; taken before the script ends, as
            // its children then no longer count as its descendants
            List<ProcessHandle> tree = Stream.concat(camel.descendants(), Stream.of(camel.toHandle())).toList();
            tree.forEach(ProcessHandle::destroy);
            for (ProcessHandle process : tree) {
                try {
                    process.onExit().get(30, TimeUnit.SECONDS);
                } catch (TimeoutException stuck) {
                    process.destroyForcibly();
                    process.onExit().get(30, TimeUnit.SECONDS);
                }
            }
        }
        sandbox.stop();
    }

    @Test
    @Order(1)
    void routesStartUnderTheCliOnItsPortAndSyncADonor() throws Exception {
        // every route of every file, so a setting that makes the CLI skip the files it is given (camel-notes pitfall 11) fails here
        List<String> routeIds = fileRouteIds();
        assertThat(routeIds).hasSizeGreaterThan(routeFiles.size());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String started = Files.readString(log);
            assertThat(routeIds).as(this::logTail).allMatch(id -> started.contains("Started " + id + " ("));
        });
        // --port is the port the server binds and the one Virtuous is told to post to
        await().atMost(Duration.ofSeconds(30)).until(() -> !sandbox.webhooks().isEmpty());
        assertThat(sandbox.webhooks()).extracting(webhook -> webhook.get("payloadUrl"))
                .containsExactly("http://localhost:" + port + "/webhooks/virtuous");

        HttpResponse<String> accepted = bundle.postDonor("""
                {"referenceId": "cli-1", "firstName": "Mary", "lastName": "Somerville", "email": "mary@example.org"}""");
        assertThat(accepted.statusCode()).as(this::logTail).isEqualTo(202);
        bundle.awaitState("PartnerPlatform", "cli-1", "PENDING", this::logTail);
        // PENDING from its mark, just before the Transaction leaves: the import runs once Virtuous holds it
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.heldTransactions().size() == 1);
        sandbox.runBatch();
        Map<String, Object> synced = bundle.awaitState("PartnerPlatform", "cli-1", "SYNCED", this::logTail);

        Map<String, Object> contact = BundleHttp.contact(sandbox, "PartnerPlatform", "cli-1");
        assertThat(contact.get("id")).isEqualTo(synced.get("contactId"));
        assertThat(contact.get("name")).asString().contains("Mary").contains("Somerville");
    }

    /** --dev: the edited file's routes are replaced; the other files' and the Java DSL machinery's keep running. */
    @Test
    @Order(2)
    void anEditedRouteFileReloadsWithEveryRouteRunning() throws Exception {
        Map<String, String> before = routeStates();
        assertThat(before).as("Camel's route checks list the Java DSL routes too").containsKeys(fileRouteIds().toArray(String[]::new))
                .containsKey("virtuous-sync-virtuous-call").allSatisfy((id, state) -> assertThat(state).isEqualTo("UP"));

        // written beside the folder and moved in, as an editor saves: one change for the watcher, not a truncate and a write
        Path edited = directory.resolve("routes").resolve(EDITED);
        Path saved = Files.writeString(directory.resolve(EDITED + ".saved"),
                Files.readString(edited).replaceFirst("description: ", "description: (edited) "));
        Files.move(saved, edited, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Files.readString(log)).as(this::logTail)
                .contains("Routes reloaded summary").contains("(source: " + EDITED));
        assertThat(Files.readString(log)).as(this::logTail).doesNotContain("Error reloading routes");

        assertThat(routeStates()).as(this::logTail).isEqualTo(before);
        // the docs' `camel get route` answers for this process (it lists every Camel CLI process of the machine's
        // user; ours is the launcher's own PID, as it execs java). Its table is not counted: right after a reload it
        // listed fewer routes than run, with ages of seconds, once a single one shown Stopped, and once none at all (the
        // CLI reads the status file the process writes every second), while Camel's route checks had all UP: only that
        // it comes to answer with a row of ours is checked
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Process get = new ProcessBuilder("sh", PROJECT.resolve("jbang/camel").toString(), "get", "route").directory(directory.toFile())
                    .redirectErrorStream(true).start();
            String routes = new String(get.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(get.waitFor()).as(routes).isZero();
            assertThat(routes.lines()).as(routes).anyMatch(line -> line.strip().startsWith(camel.pid() + " "));
        });
        HttpResponse<String> accepted = bundle.postDonor("""
                {"referenceId": "cli-2", "firstName": "Ada", "lastName": "Lovelace"}""");
        assertThat(accepted.statusCode()).as(this::logTail).isEqualTo(202);
    }

    /** What docs/embedding.md offers of the CLI is what this class runs: run (with --dev) and get route; no export. */
    @Test
    void theDocsOfferTheCommandsThisClassRuns() throws IOException {
        String docs = Files.readString(PROJECT.resolve("docs/embedding.md"));
        assertThat(docs).contains("./jbang/camel run routes/*.camel.yaml application.properties "
                + "target/virtuous-contact-sync-0.1.0-SNAPSHOT.jar --dev\n./jbang/camel get route\n");
        Matcher command = Pattern.compile("^(?:\\./jbang/)?camel (\\w+)", Pattern.MULTILINE).matcher(docs);
        List<String> offered = new ArrayList<>();
        while (command.find()) {
            offered.add(command.group(1));
        }
        assertThat(offered).containsOnly("run", "get");
        assertThat(docs).contains("`camel export` is not offered");
    }

    @Test
    void cliDependenciesAreThePomsVersions() throws IOException {
        String pom = Files.readString(PROJECT.resolve("pom.xml"));
        Properties settings = new Properties();
        try (Reader reader = Files.newBufferedReader(PROJECT.resolve("application.properties"))) {
            settings.load(reader);
        }
        List<String> dependencies = List.of(settings.getProperty("camel.jbang.dependencies").split(","));
        Matcher library = Pattern.compile("<dependency><groupId>([^<]+)</groupId><artifactId>([^<]+)</artifactId>"
                + "<version>\\$\\{([^}]+)}</version></dependency>").matcher(pom);
        int libraries = 0;
        while (library.find()) {
            // the CLI logs with its own binding
            if (!library.group(2).equals("slf4j-simple")) {
                Matcher version = Pattern.compile("<" + Pattern.quote(library.group(3)) + ">([^<]+)<").matcher(pom);
                assertThat(version.find()).isTrue();
                assertThat(dependencies).contains(library.group(1) + ":" + library.group(2) + ":" + version.group(1));
                libraries++;
            }
        }
        assertThat(libraries).isPositive();
    }

    /** The ids of the routes the route files define, as the CLI names them. */
    private List<String> fileRouteIds() throws IOException {
        List<String> routeIds = new ArrayList<>();
        for (Path file : routeFiles) {
            Matcher route = ROUTE_ID.matcher(Files.readString(file));
            while (route.find()) {
                routeIds.add(route.group(1).replace("\"", "").replace("{{sync.prefix}}", "virtuous-sync"));
            }
        }
        return routeIds;
    }

    /** Every route's state as Camel's route health checks give it, through GET /sync/health. */
    @SuppressWarnings("unchecked")
    private Map<String, String> routeStates() throws Exception {
        Map<String, Object> checks = (Map<String, Object>) JSON.readValue(bundle.get("/sync/health").body(), Map.class).get("checks");
        Map<String, String> routes = new TreeMap<>();
        checks.forEach((id, check) -> {
            if (id.startsWith("route:")) {
                routes.put(id.substring("route:".length()), String.valueOf(((Map<String, Object>) check).get("state")));
            }
        });
        return routes;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "the CLI's log ends:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "no CLI log: " + e;
        }
    }
}
