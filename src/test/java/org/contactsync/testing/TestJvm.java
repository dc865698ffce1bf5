package org.contactsync.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command that starts a JVM of its own on the tests' classpath: what a test runs as a separate process. */
public final class TestJvm {

    private TestJvm() {
    }

    /**
     * {@code java -cp <the tests' classpath>} followed by the arguments (JVM options, the main class, its arguments).
     * C1 only and the serial collector, as the test JVMs themselves run: a test's JVM lives seconds, and starts in about
     * half the CPU that C2 and G1 would spend on it; options among the arguments come later and win.
     */
    public static List<String> command(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))));
        command.addAll(List.of(arguments));
        return command;
    }
}
