package org.contactsync;

import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleHttp;
import org.contactsync.testing.BundleJar;
import org.contactsync.testing.BundleMetrics;
import org.contactsync.testing.DocSnippets;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Spring Boot host of docs/embedding.md (hosts/spring-boot) as a user meets it: the bundle installed in the local
 * Maven repository, the host built with {@code mvn package} and run with {@code java -jar} in its own JVM against the
 * sandbox, then checked over HTTP on Boot's server.port and stopped with SIGTERM. Its settings are Boot command-line
 * arguments, which reach Camel only through Spring's environment, as the host's application.properties does (a -D
 * system property would reach Camel directly and hide a setting the bundle fails to read from Boot).
 */
class SpringBootHostTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path HOST = PROJECT.resolve("hosts/spring-boot");
    private static final Path EMBEDDING = PROJECT.resolve("docs/embedding.md");
    private static final String SECTION = "Spring Boot";
    private static final String OPERATOR_PASSWORD = "boot-operator-password";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private Process host;
    private Path log;

    @AfterEach
    void stop() throws InterruptedException {
        // a host this test could not stop still goes: no JVM stays behind holding a port
        if (host != null && host.isAlive()) {
            host.destroyForcibly();
            host.waitFor(30, TimeUnit.SECONDS);
        }
        sandbox.stop();
    }

    @Test
    void theHostBuildsStartsServesSyncsADonorAndStopsOnSigterm() throws Exception {
        long began = System.nanoTime();
        // what `mvn install` of the bundle gives a user, then the host's own build
        maven(PROJECT, "install:install-file", "-Dfile=" + BundleJar.write(directory.resolve("virtuous-contact-sync.jar")), "-DpomFile=pom.xml");
        // clean: an unchanged host is not repackaged, and would keep the bundle jar of its last build
        maven(HOST, "clean", "package", "-DskipTests");
        long built = System.nanoTime();

        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.start();
        int port = SyncBundle.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived JVM: C1 only, as the suite's own forks run
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", HOST.resolve("target/spring-boot-host-0.1.0-SNAPSHOT.jar").toString(),
                "--server.port=" + port,
                "--virtuous.api.base-url=" + sandbox.getBaseUrl(),
                "--sync.webhook.public-url=http://localhost:" + port,
                "--sync.datasource.url=jdbc:h2:file:" + directory.resolve("db"),
                "--sync.inbox.dir=" + directory.resolve("inbox")));
        log = directory.resolve("host.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        // secrets from the environment, as docs/embedding.md says
        builder.environment().put("VIRTUOUS_API_KEY", sandbox.getApiKey());
        builder.environment().put("SYNC_STATUS_PASSWORD", OPERATOR_PASSWORD);
        host = builder.start();

        BundleHttp bundle = new BundleHttp("http://localhost:" + port, OPERATOR_PASSWORD);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class)
                .alias("the host answers GET /sync/status")
                .until(() -> {
                    assertThat(host.isAlive()).as(() -> "the host exited; " + logTail()).isTrue();
                    return bundle.get("/sync/status").statusCode() == 200;
                });
        long up = System.nanoTime();
        // its webhook subscription, so the sandbox's batch is told back at once
        await().atMost(Duration.ofSeconds(30)).until(() -> !sandbox.webhooks().isEmpty());

        assertThat(bundle.postDonor("""
                {"referenceId": "boot-1", "firstName": "Caroline", "lastName": "Herschel", "email": "caroline@example.org"}""")
                .statusCode()).as(this::logTail).isEqualTo(202);
        bundle.awaitState("PartnerPlatform", "boot-1", "PENDING", this::logTail);
        // PENDING from its mark, just before the Transaction leaves: the import runs once Virtuous holds it
        await().atMost(Duration.ofSeconds(20)).until(() -> sandbox.heldTransactions().size() == 1);
        sandbox.runBatch();
        Map<String, Object> synced = bundle.awaitState("PartnerPlatform", "boot-1", "SYNCED", this::logTail);
        assertThat(BundleHttp.contact(sandbox, "PartnerPlatform", "boot-1").get("id")).isEqualTo(synced.get("contactId"));

        // Boot's health holds Camel's checks, the bundle's among them
        JsonNode health = new ObjectMapper().readTree(get(port, "/actuator/health").body());
        assertThat(health.path("status").asText()).as(health::toPrettyString).isEqualTo("UP");
        JsonNode camel = health.path("components").path("camelHealth").path("details");
        for (String check : List.of("virtuous-access", "sync-database", "virtuous-rate-budget")) {
            assertThat(camel.path(check).asText()).as(check + " in " + health.toPrettyString()).isEqualTo("UP");
        }
        assertThat(bundle.get("/sync/health").body()).contains("\"virtuous-access\":{\"state\":\"UP\"");

        // the bundle's meters in Boot's Prometheus registry, each gauge a number
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String metrics = get(port, "/actuator/prometheus").body();
            assertThat(metrics).contains("virtuous_sync_donors{state=\"SYNCED\"} 1.0");
            BundleMetrics.assertReadNumbers(metrics);
        });

        long stopping = System.nanoTime();
        host.destroy();
        assertThat(host.waitFor(15, TimeUnit.SECONDS)).as(() -> "the host still runs 15 s after SIGTERM; " + logTail()).isTrue();
        Duration stop = Duration.ofNanos(System.nanoTime() - stopping);
        // 143: ended by SIGTERM once its shutdown hooks (Boot's, closing Camel) ran
        assertThat(host.exitValue()).as(this::logTail).isEqualTo(143);
        try (ServerSocket freed = new ServerSocket(port)) {
            assertThat(freed.getLocalPort()).isEqualTo(port);
        }
        String output = Files.readString(log);
        assertThat(output).contains("Apache Camel 4.17.0 (camel-1) shutdown in").doesNotContain("already registered").doesNotContain(" ERROR ");
        System.out.printf("SpringBootHostTest: maven %d s, start %d s, whole %d s, stop %d ms%n", Duration.ofNanos(built - began).toSeconds(),
                Duration.ofNanos(up - built).toSeconds(), Duration.ofNanos(System.nanoTime() - began).toSeconds(), stop.toMillis());
    }

    @Test
    void theDocsRecipeIsTheHostsOwnPomPropertiesAndCode() throws IOException {
        List<String> pom = Files.readAllLines(HOST.resolve("pom.xml")).stream().map(String::strip).toList();
        assertThat(pom).containsAll(DocSnippets.lines(EMBEDDING, SECTION, "xml"));

        Properties given = new Properties();
        try (Reader reader = Files.newBufferedReader(HOST.resolve("src/main/resources/application.properties"))) {
            given.load(reader);
        }
        Properties shown = DocSnippets.properties(EMBEDDING, SECTION);
        assertThat(shown).isNotEmpty();
        assertThat(given).containsAllEntriesOf(shown);

        List<String> code = Files.readAllLines(HOST.resolve("src/main/java/org/example/host/HostApplication.java")).stream().map(String::strip).toList();
        assertThat(code).containsAll(DocSnippets.lines(EMBEDDING, SECTION, "java"));
        assertThat(Files.readString(EMBEDDING)).doesNotContain("## Spring Boot (not run here)");
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One Maven build in its own process, on this JDK; its output is the failure's message. */
    private void maven(Path project, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q"));
        command.addAll(List.of(arguments));
        Path output = directory.resolve("mvn-" + project.getFileName() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(project.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process build = builder.start();
        if (!build.waitFor(5, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new AssertionError(command + " ran over 5 minutes:\n" + Files.readString(output));
        }
        assertThat(build.exitValue()).as(() -> command + " failed:\n" + readQuietly(output)).isZero();
    }

    private String logTail() {
        String output = readQuietly(log);
        return "the host's log ends:\n" + output.substring(Math.max(0, output.length() - 8000));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
