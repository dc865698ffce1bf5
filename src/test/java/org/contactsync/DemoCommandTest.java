package org.contactsync;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.awaitility.core.ConditionTimeoutException;
import org.contactsync.sandbox.DemoApplication;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's demo command, {@code mvn -B test-compile exec:java}: the pom points exec:java at the demo launcher on the
 * test classpath, and that launcher, in its own JVM in a fresh directory, takes every sample donor to where the README
 * says (SYNCED by Find, by update or by the sandbox's import and its webhooks; the two invalid ones in the dead letter),
 * with the status API open and no credentials, then stops on SIGTERM.
 */
class DemoCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    private Process demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.destroyForcibly();
        }
    }

    @Test
    void theDemoCommandRunsTheLauncherThatSyncsEverySampleDonor() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).contains("<artifactId>exec-maven-plugin</artifactId>")
                .contains("<mainClass>" + DemoApplication.class.getName() + "</mainClass><classpathScope>test</classpathScope>");

        int port = SyncBundle.freePort();
        Path log = directory.resolve("demo.log");
        demo = new ProcessBuilder(TestJvm.command("-Dcamel.server.port=" + port, "-Dcamel.management.port=" + SyncBundle.freePort(),
                "-Ddemo.sandbox-port=" + SyncBundle.freePort(), "-Ddemo.batch-interval-seconds=1",
                DemoApplication.class.getName()))
                .directory(directory.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();

        String base = "http://localhost:" + port;
        try {
            for (String donor : List.of("donor-1001", "donor-1002", "donor-1003", "donor-2001", "donor-2002")) {
                await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> "SYNCED".equals(get(base + "/sync/donors/PartnerPlatform/" + donor).get("state")));
            }
        } catch (ConditionTimeoutException e) {
            String output = Files.readString(log);
            throw new AssertionError("the demo did not sync its samples; its log ends:\n" + output.substring(Math.max(0, output.length() - 6000)), e);
        }
        List<?> letters = JSON.readValue(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sync/dead-letters")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), List.class);
        assertThat(letters).hasSize(2);
        assertThat(Files.isDirectory(directory.resolve("data"))).as("the ledger under data/ of the working directory").isTrue();

        demo.destroy();
        assertThat(demo.waitFor(30, TimeUnit.SECONDS)).as("the demo stops on SIGTERM").isTrue();
    }

    private static Map<String, Object> get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readValue(response.body(), new TypeReference<Map<String, Object>>() { });
    }
}
