package org.contactsync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher, in its own JVM as an operator starts it, given each bad setting users met: it exits non-zero within
 * seconds, and the last thing it prints is one line naming the key, its value and the rule, with no stack trace
 * anywhere in its output. The bad settings are given as -D properties, one as an environment variable.
 */
class StartupRefusalTest {

    private static final String DATABASE_PASSWORD = "pg-password-4711";

    @TempDir
    Path directory;

    @Test
    void eachBadSettingStopsTheStartWithOneLineAndNoStackTrace() throws Exception {
        int closedPort = SyncBundle.freePort();
        String sandbox = "-Dvirtuous.api.base-url=http://localhost:" + closedPort;
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("email-match", new Case(List.of(sandbox, "-Dsync.email-match=bogus"), Map.of(),
                "sync.email-match=bogus: must be one of associate|submit"));
        cases.put("misspelt", new Case(List.of(sandbox, "-Dsync.emial-match=submit"), Map.of(),
                "unknown setting sync.emial-match (did you mean sync.email-match?)"));
        cases.put("misspelt-env", new Case(List.of(sandbox), Map.of("SYNC_EMIAL_MATCH", "submit"),
                "unknown environment variable SYNC_EMIAL_MATCH (did you mean SYNC_EMAIL_MATCH, for sync.email-match?)"));
        cases.put("concurrency", new Case(List.of(sandbox, "-Dsync.concurrency=0"), Map.of(),
                "sync.concurrency=0: must be a whole number of at least 1"));
        cases.put("max-share", new Case(List.of(sandbox, "-Dvirtuous.rate.max-share=5"), Map.of(),
                "virtuous.rate.max-share=5: must be a number above 0 and at most 1 (0.25: a quarter of the budget)"));
        cases.put("sandbox-switch", new Case(List.of("-Dvirtuous.sandbox.enabled=true"), Map.of(),
                "unknown setting virtuous.sandbox.enabled (no longer a setting: to call a sandbox, point virtuous.api.base-url at it)"));
        cases.put("production-without-key", new Case(List.of(), Map.of(),
                "virtuous.api.key: empty; set VIRTUOUS_API_KEY (virtuous.api.base-url is Virtuous's production API, where every call would be refused)"));
        String database = "jdbc:postgresql://localhost:" + closedPort + "/contactsync?password=" + DATABASE_PASSWORD;
        cases.put("database-unreachable", new Case(List.of(sandbox, "-Dsync.datasource.url=" + database,
                "-Dsync.datasource.connection-timeout-ms=1000"), Map.of("SYNC_DATASOURCE_PASSWORD", "env-" + DATABASE_PASSWORD),
                "sync.datasource.url=jdbc:postgresql://localhost:" + closedPort + "/contactsync?password=***: cannot connect within 1000 ms "
                        + "(sync.datasource.connection-timeout-ms): Connection to localhost:" + closedPort + " refused."));

        // all at once: each JVM spends most of its time starting
        long started = System.nanoTime();
        Map<String, Process> runs = new LinkedHashMap<>();
        for (Map.Entry<String, Case> run : cases.entrySet()) {
            runs.put(run.getKey(), launch(run.getKey(), run.getValue()));
        }
        for (Map.Entry<String, Process> run : runs.entrySet()) {
            Process process = run.getValue();
            Path log = directory.resolve(run.getKey() + ".log");
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s exits", run.getKey()).isTrue();
            // eight JVMs starting together on a shared machine: each alone exits in 2 to 4 s
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("%s exits within seconds", run.getKey()).isLessThan(Duration.ofSeconds(30));
            String output = Files.readString(log);
            List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
            String expected = cases.get(run.getKey()).line();
            assertThat(process.exitValue()).as("%s: exit status; output:%n%s", run.getKey(), output).isEqualTo(2);
            assertThat(lines.get(lines.size() - 1)).as("%s: the last line", run.getKey()).startsWith(expected);
            assertThat(lines).as("%s: no stack trace", run.getKey()).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
            assertThat(output).doesNotContain(DATABASE_PASSWORD);
        }
    }

    private Process launch(String name, Case bad) throws Exception {
        Path home = Files.createDirectories(directory.resolve(name));
        List<String> command = TestJvm.command("-Dcamel.server.port=" + SyncBundle.freePort(), "-Dcamel.management.port=" + SyncBundle.freePort(),
                "-Dsync.datasource.url=jdbc:h2:file:" + home.resolve("db").toAbsolutePath(), "-Dsync.inbox.dir=" + home.resolve("inbox"));
        command.addAll(bad.properties());
        command.add(ContactSyncApplication.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile()).directory(home.toFile());
        // only what the case sets: a developer's own VIRTUOUS_API_KEY would change what the start decides
        builder.environment().keySet().removeIf(variable -> variable.startsWith("SYNC_") || variable.startsWith("VIRTUOUS_"));
        builder.environment().putAll(bad.environment());
        return builder.start();
    }

    /** A bad setting: the launcher's -D properties and environment, and the line it must end with. */
    private record Case(List<String> properties, Map<String, String> environment, String line) {
    }
}
