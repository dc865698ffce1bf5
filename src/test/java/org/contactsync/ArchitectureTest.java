package org.contactsync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's packages depend on each other one way, read from its sources' imports: no cycle anywhere, the ledger
 * (persistence) and the rate governor know no other package, and the Virtuous client knows only its own types, the
 * bundle's conventions, its health check's base and the governor.
 */
class ArchitectureTest {

    private static final Path PRODUCT = Path.of("src/main/java/org/contactsync");
    private static final Pattern IMPORT = Pattern.compile("^import org\\.contactsync\\.(?:([a-z]+)\\.)?[A-Z]\\w*;", Pattern.MULTILINE);

    @Test
    void packagesDependOnEachOtherOneWay() throws IOException {
        Map<String, Set<String>> uses = uses();
        for (String from : uses.keySet()) {
            for (String to : uses.get(from)) {
                assertThat(reaches(uses, to, from, new HashSet<>())).as("%s uses %s, and %s comes back to %s", from, to, to, from).isFalse();
            }
        }
        assertThat(uses.getOrDefault("ledger", Set.of())).as("the ledger knows no stage").isEmpty();
        assertThat(uses.getOrDefault("ratelimit", Set.of())).isEmpty();
        assertThat(uses.getOrDefault("virtuous", Set.of())).isSubsetOf("bundle", "health", "ratelimit");
    }

    /**
     * The jar is target/classes: it holds no class of the sandbox and no logging configuration (the host's own would
     * lose to it), and no product source imports the sandbox.
     */
    @Test
    void theProductCarriesNoSandboxAndNoLoggingConfiguration() throws IOException {
        List<String> packed;
        try (Stream<Path> files = Files.walk(Path.of("target/classes"))) {
            packed = files.filter(Files::isRegularFile).map(file -> Path.of("target/classes").relativize(file).toString()).toList();
        }
        assertThat(packed).contains("org/contactsync/VirtuousSync.class", "virtuous-sync/contact-sync.camel.yaml")
                .noneMatch(file -> file.startsWith("org/contactsync/sandbox/"))
                .noneMatch(file -> file.matches("(simplelogger\\.properties|logback(-test)?\\.xml|log4j2?(-test)?\\.(xml|properties|json|yaml))"));
        assertThat(uses().values().stream().flatMap(Set::stream)).doesNotContain("sandbox");
    }

    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new HashMap<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(PRODUCT)) {
            sources = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        for (Path source : sources) {
            String from = packageOf(source);
            Matcher imported = IMPORT.matcher(Files.readString(source));
            while (imported.find()) {
                String to = imported.group(1) == null ? "(root)" : imported.group(1);
                if (!to.equals(from)) {
                    uses.computeIfAbsent(from, name -> new HashSet<>()).add(to);
                }
            }
        }
        return uses;
    }

    private static String packageOf(Path source) {
        Path relative = PRODUCT.relativize(source.getParent());
        return relative.toString().isEmpty() ? "(root)" : relative.toString();
    }

    private static boolean reaches(Map<String, Set<String>> uses, String from, String to, Set<String> seen) {
        for (String next : uses.getOrDefault(from, Set.of())) {
            if (next.equals(to) || seen.add(next) && reaches(uses, next, to, seen)) {
                return true;
            }
        }
        return false;
    }
}
