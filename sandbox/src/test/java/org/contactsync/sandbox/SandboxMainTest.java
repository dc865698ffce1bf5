package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The sandbox as its own process: one command, a port, a line saying where it listens, stopped by SIGTERM. */
class SandboxMainTest {

    @Test
    void runsOnItsOwnUntilTerminated() throws Exception {
        Process sandbox = start("--port", "0", "--api-key", "key-1", "--batch-interval-seconds", "1", "--demo-contacts",
                "--fault-rate", "0.2", "--fault-seed", "7");
        try {
            String line = new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(line).matches("Virtuous sandbox listening on http://localhost:\\d+");
            String baseUrl = line.substring(line.indexOf("http://"));
            HttpResponse<String> contacts = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/sandbox/contacts")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(contacts.statusCode()).isEqualTo(200);
            assertThat(contacts.body()).as("the demo Contacts, with their reference").contains("\"contactReferences\"", "donor-1001");

            sandbox.destroy();
            assertThat(sandbox.waitFor(20, TimeUnit.SECONDS)).as("SIGTERM stops it").isTrue();
        } finally {
            sandbox.destroyForcibly();
        }
    }

    @Test
    void aBadArgumentIsNamedOnOneLineAndExitsWith2() throws Exception {
        Process sandbox = start("--port", "eighty");
        try {
            assertThat(sandbox.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String error = new String(sandbox.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(sandbox.exitValue()).isEqualTo(2);
            assertThat(error).isEqualTo("SandboxMain: --port takes a whole number, not 'eighty'");
        } finally {
            sandbox.destroyForcibly();
        }
    }

    @Test
    void eachBadArgumentNamesItself() {
        assertThatThrownBy(() -> SandboxMain.configure("--fault-rate", "1.5")).hasMessage("--fault-rate must be between 0 and 1: 1.5");
        assertThatThrownBy(() -> SandboxMain.configure("--webhook-references", "yes")).hasMessage("--webhook-references takes true or false, not 'yes'");
        assertThatThrownBy(() -> SandboxMain.configure("--api-key")).hasMessage("--api-key needs a value");
        assertThatThrownBy(() -> SandboxMain.configure("--port", "70000")).hasMessage("--port must be between 0 and 65535: 70000");
        assertThatThrownBy(() -> SandboxMain.configure("--colour", "red")).hasMessageStartingWith("unknown argument '--colour'");
        assertThat(SandboxMain.configure("--help")).isNull();
    }

    private static Process start(String... arguments) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, SandboxMain.class.getName()));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).start();
    }
}
