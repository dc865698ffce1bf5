package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.sandbox.BatchResult;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.BundleProcess;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bundle as docker/Dockerfile runs it, without Docker: the launcher in its own JVM with the image's
 * CAMEL_MAIN_CLOUD_PROPERTIES_LOCATION pointed at a directory holding the secret files compose.yaml mounts (named as it
 * names them, ending in a newline as echo writes them) and no secret in its environment. Every secret comes from its
 * file: Virtuous accepts the key, the operator API the password, the database (created with its password beforehand)
 * lets the bundle in, and a webhook signed with the secret resolves a donor while a forged one is refused. The image's
 * HEALTHCHECK command, run as Docker runs it, fails while Virtuous refuses the key and passes once it takes it: it asks
 * readiness. No secret reaches the log.
 */
class DockerRunTest {

    private static final String API_KEY = "vk-from-a-file-6d2f8a";
    private static final String WEBHOOK_SECRET = "whsec-from-a-file-3c9e1b";
    private static final String DATABASE_PASSWORD = "db-from-a-file-8a4d2c";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private BundleProcess bundle;

    @AfterEach
    void stop() throws Exception {
        if (bundle != null) {
            bundle.close();
        }
        sandbox.stop();
    }

    @Test
    void theImagesSecretFilesAndHealthCheckWork() throws Exception {
        sandbox.setPort(0);
        sandbox.setBatchIntervalSeconds(0);
        sandbox.setApiKey("a-key-the-bundle-does-not-have");
        sandbox.start();

        Map<String, String> values = Map.of("virtuous.api.key", API_KEY, "sync.webhook.secret", WEBHOOK_SECRET,
                "sync.status.password", BundleProcess.OPERATOR_PASSWORD, "sync.datasource.password", DATABASE_PASSWORD);
        Path secrets = Files.createDirectories(directory.resolve("run-secrets"));
        Map<String, String> targets = DockerFilesTest.secretTargets(DockerFilesTest.service("contact-sync"));
        assertThat(targets.values()).containsExactlyInAnyOrderElementsOf(values.keySet());
        for (String target : targets.values()) {
            Files.writeString(secrets.resolve(target), values.get(target) + "\n");
        }
        String database = "jdbc:h2:file:" + directory.resolve("db").toAbsolutePath();
        try (Connection created = DriverManager.getConnection(database, "sa", DATABASE_PASSWORD)) {
            assertThat(created.isValid(1)).isTrue();
        }

        int managementPort = SyncBundle.freePort();
        bundle = new BundleProcess(directory, sandbox.getBaseUrl(), "unused", Map.of("camel.management.port", String.valueOf(managementPort),
                "virtuous.auth.probe-interval-ms", "300"))
                .withoutEnvironment("VIRTUOUS_API_KEY")
                .withoutEnvironment("SYNC_STATUS_PASSWORD")
                // the image's /run/secrets (DockerFilesTest checks its ENV line)
                .withEnvironment(DockerFilesTest.SECRETS_LOCATION, secrets.toString())
                // the status password from its file is what start() waits with (GET /sync/status)
                .start();
        List<String> healthCheck = healthCheck(managementPort);

        assertThat(bundle.http().postDonor("{\"referenceId\":\"file-1\",\"firstName\":\"Ada\",\"lastName\":\"Lovelace\"}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.requests().stream().anyMatch(request -> request.status() == 401));
        await().atMost(Duration.ofSeconds(30)).until(() -> run(healthCheck) != 0);

        sandbox.setApiKey(API_KEY);
        bundle.http().awaitState("PartnerPlatform", "file-1", "PENDING", bundle::logTail);
        await().atMost(Duration.ofSeconds(30)).until(() -> run(healthCheck) == 0);

        BatchResult created = sandbox.runBatch().stream().filter(result -> result.referenceId().equals("file-1")).findFirst().orElseThrow();
        String envelope = "{\"event\":\"ContactCreate\",\"contact\":{\"id\":" + created.contactId()
                + ",\"contactReferences\":[{\"source\":\"PartnerPlatform\",\"id\":\"file-1\"}]}}";
        assertThat(deliver(envelope, SyncBundle.signature("not-the-secret", envelope))).as("a forged signature").isEqualTo(401);
        assertThat(deliver(envelope, SyncBundle.signature(WEBHOOK_SECRET, envelope))).as("signed with the file's secret").isEqualTo(200);
        bundle.http().awaitState("PartnerPlatform", "file-1", "SYNCED", bundle::logTail);

        bundle.stop();
        assertThat(bundle.log()).doesNotContain(API_KEY, WEBHOOK_SECRET, BundleProcess.OPERATOR_PASSWORD, DATABASE_PASSWORD);
    }

    /** The image's HEALTHCHECK command (exec form, JSON), pointed at this bundle's management port. */
    private static List<String> healthCheck(int managementPort) throws Exception {
        String instruction = DockerFilesTest.instructions("HEALTHCHECK").get(0);
        List<String> command = new ObjectMapper().readValue(instruction.substring(instruction.indexOf("CMD ") + 4), new TypeReference<>() { });
        String management = DockerFilesTest.applicationProperties().getProperty("camel.management.port");
        List<String> here = new ArrayList<>();
        command.forEach(part -> here.add(part.replace("/" + management + " ", "/" + managementPort + " ")));
        assertThat(here).as("the command names the management port").isNotEqualTo(command);
        return here;
    }

    private static int run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("the health check ends within its timeout").isTrue();
        return process.exitValue();
    }

    private int deliver(String body, String signature) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(bundle.baseUrl() + "/webhooks/virtuous")).header("Content-Type", "application/json")
                .header("X-Virtuous-Signature", signature).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
