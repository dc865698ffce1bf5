package org.contactsync;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.bundle.Settings;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker/Dockerfile, docker/compose.yaml and .dockerignore keep what docs/operations.md promises of them. No Docker runs
 * here, so the files are read as Docker reads them (compose.yaml as YAML, the Dockerfile instruction by instruction, the
 * ignore file with Docker's matching) and checked against the bundle's own settings: one node by default and the cluster
 * only under its profile, secrets as required files and never environment variables, base images by version, the health
 * check on the management port's readiness, a stop grace longer than the bundle's shutdown timeout, the published ports
 * as documented, and a build context without donor data. DockerRunTest runs the bundle as the image does.
 */
class DockerFilesTest {

    private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
    private static final Path COMPOSE = Path.of("docker", "compose.yaml");
    private static final Path DOCKERIGNORE = Path.of(".dockerignore");
    /** What the Dockerfile points Camel Main at: each file in it is the setting its name gives. */
    static final String SECRETS_LOCATION = "CAMEL_MAIN_CLOUD_PROPERTIES_LOCATION";
    private static final Pattern REQUIRED_PATH = Pattern.compile("\\$\\{([A-Z_]+_FILE):\\?[^}]+}");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)m)?(?:(\\d+)s)?");

    @Test
    void theDefaultProjectRunsOneNodeAndTheClusterOnlyUnderItsProfile() throws IOException {
        Map<String, Map<String, Object>> nodes = nodes();
        List<String> always = nodes.entrySet().stream().filter(node -> !node.getValue().containsKey("profiles")).map(Map.Entry::getKey).toList();
        assertThat(always).as("bundle services started without a profile").hasSize(1);
        nodes.forEach((name, node) -> {
            assertThat(node).as("%s: one container, never replicas (each node needs a name of its own)", name).doesNotContainKeys("scale");
            assertThat(map(node, "deploy").getOrDefault("replicas", 1)).as("%s replicas", name).isEqualTo(1);
            if (node.containsKey("profiles")) {
                assertThat(list(node, "profiles")).as("%s's profiles", name).containsExactly("cluster");
            }
        });
        assertThat(nodes).as("the cluster: the default node and at least one more").hasSizeGreaterThanOrEqualTo(2);
        Map<String, Object> first = nodes.get(always.get(0));
        assertThat(nodes.values().stream().map(node -> node.get("hostname")).distinct().count())
                .as("a host name per node, so each has its own sync.cluster.node-name (host name:port)").isEqualTo(nodes.size());
        nodes.forEach((name, node) -> {
            assertThat(map(node, "environment")).as("%s's settings: the default node's (one database, one public URL)", name)
                    .isEqualTo(map(first, "environment"));
            assertThat(node.get("secrets")).as("%s's secrets", name).isEqualTo(first.get("secrets"));
        });
        assertThat(String.valueOf(map(first, "environment").get("SYNC_DATASOURCE_URL"))).startsWith("jdbc:postgresql://postgres:");
        assertThat(map(first, "environment")).containsKey("SYNC_WEBHOOK_PUBLIC_URL");
        nodes.entrySet().stream().filter(node -> node.getValue().containsKey("profiles")).forEach(node ->
                assertThat(map(map(node.getValue(), "depends_on"), always.get(0))).as("%s starts once the first node is ready, "
                        + "which alone makes the webhook subscription", node.getKey()).containsEntry("condition", "service_healthy"));
    }

    @Test
    void secretsAreRequiredFilesMountedAsTheSettingsTheyHoldAndNeverEnvironmentVariables() throws IOException {
        Map<String, Object> compose = compose();
        Map<String, Object> secrets = map(compose, "secrets");
        secrets.forEach((name, secret) -> assertThat(String.valueOf(((Map<?, ?>) secret).get("file")))
                .as("secret %s: a file whose path compose requires (${..._FILE:?...})", name).matches(REQUIRED_PATH));
        assertThat(instructions("ENV")).as("the image reads the settings from /run/secrets").contains(SECRETS_LOCATION + "=/run/secrets");

        Set<String> settings = new LinkedHashSet<>();
        nodes().forEach((name, node) -> {
            Map<String, String> targets = secretTargets(node);
            assertThat(secrets).as("%s's secrets are declared", name).containsKeys(targets.keySet().toArray(String[]::new));
            // a bare name: compose mounts it as /run/secrets/<name>
            targets.values().forEach(target -> assertThat(Settings.DEFAULTS).as("%s: %s is a setting of the bundle", name, target).containsKey(target));
            settings.addAll(targets.values());
        });
        assertThat(settings).contains("virtuous.api.key", "sync.webhook.secret", "sync.status.password", "sync.datasource.password");

        // the environment variables Camel would read the same settings from, and the database's own
        Set<String> forbidden = new LinkedHashSet<>(List.of("POSTGRES_PASSWORD"));
        settings.forEach(setting -> forbidden.add(setting.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_")));
        for (Map.Entry<String, Object> service : map(compose, "services").entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> definition = (Map<String, Object>) service.getValue();
            Set<String> environment = new LinkedHashSet<>(map(definition, "environment").keySet());
            if (definition.containsKey("env_file")) {
                environment.addAll(envFile(COMPOSE.resolveSibling(String.valueOf(definition.get("env_file")))).keySet());
            }
            assertThat(environment).as("%s's environment holds no secret", service.getKey()).doesNotContainAnyElementsOf(forbidden);
        }
        Map<String, Object> postgres = service("postgres");
        assertThat(map(postgres, "environment")).containsEntry("POSTGRES_PASSWORD_FILE", "/run/secrets/sync.datasource.password");
        assertThat(secretTargets(postgres)).containsValue("sync.datasource.password");
    }

    @Test
    void baseImagesArePinnedToAVersion() throws IOException {
        List<String> images = new ArrayList<>();
        instructions("FROM").forEach(from -> images.add(from.split("\\s+")[0]));
        map(compose(), "services").forEach((name, service) -> {
            if (!((Map<?, ?>) service).containsKey("build")) {
                images.add(String.valueOf(((Map<?, ?>) service).get("image")));
            }
        });
        assertThat(images).hasSizeGreaterThanOrEqualTo(3);
        // major.minor.patch; PostgreSQL's versions have had two numbers since 10
        Pattern pinned = Pattern.compile("[a-z0-9./-]+:(?:\\d+\\.\\d+\\.\\d+|(?<=postgres:)\\d+\\.\\d+)(?:[_-][\\w.-]+)?(?:@sha256:[0-9a-f]{64})?");
        images.forEach(image -> assertThat(image).as("a base image by exact version").matches(pinned));
    }

    @Test
    void theHealthCheckAsksReadinessOnTheManagementPort() throws IOException {
        Properties properties = applicationProperties();
        String healthCheck = instructions("HEALTHCHECK").get(0);
        Matcher port = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+)").matcher(healthCheck);
        Matcher path = Pattern.compile("GET (\\S+) HTTP/").matcher(healthCheck);
        assertThat(port.find() && path.find()).as(healthCheck).isTrue();
        assertThat(port.group(1)).isEqualTo(properties.getProperty("camel.management.port"));
        String healthPath = properties.getProperty("camel.management.health-path", camelMainDefault("camel.management.healthPath"));
        assertThat(path.group(1)).isEqualTo(healthPath + "/ready");
        assertThat(instructions("EXPOSE").get(0).split("\\s+")).as("EXPOSE")
                .containsExactlyInAnyOrder(properties.getProperty("camel.server.port", camelMainDefault("camel.server.port")), properties.getProperty("camel.management.port"));
    }

    @Test
    void theStopGraceOutlastsTheBundlesShutdownTimeout() throws IOException {
        Duration shutdown = Duration.ofSeconds(Long.parseLong(applicationProperties().getProperty("camel.main.shutdown-timeout")));
        // after the donors in flight: the HTTP servers, the schedulers, the pool and the JVM's exit (StopAndStartTest)
        Duration margin = Duration.ofSeconds(10);
        nodes().forEach((name, node) -> assertThat(duration(String.valueOf(node.get("stop_grace_period"))))
                .as("%s's stop_grace_period", name).isGreaterThanOrEqualTo(shutdown.plus(margin)));
    }

    @Test
    void thePublishedPortsAreTheDocumentedOnes() throws IOException {
        Properties properties = applicationProperties();
        Set<String> containerPorts = Set.of(properties.getProperty("camel.server.port", camelMainDefault("camel.server.port")), properties.getProperty("camel.management.port"));
        String docs = Files.readString(Path.of("docs", "operations.md"));
        String docker = docs.substring(docs.indexOf("\n## Docker"));
        Matcher row = Pattern.compile("(?m)^\\| `([\\w-]+)` \\| (default|`cluster`) \\| `([\\d.:]+)` \\| `(\\d+)` \\|").matcher(docker);
        Set<String> documented = new LinkedHashSet<>();
        while (row.find()) {
            documented.add(row.group(1) + " " + row.group(2).replace("`", "") + " " + row.group(3) + ":" + row.group(4));
        }
        Set<String> published = new LinkedHashSet<>();
        map(compose(), "services").forEach((name, service) -> {
            Map<?, ?> definition = (Map<?, ?>) service;
            String profile = definition.containsKey("profiles") ? String.join(",", list(definition, "profiles").stream().map(String::valueOf).toList()) : "default";
            for (Object port : list(definition, "ports")) {
                published.add(name + " " + profile + " " + port);
                assertThat(String.valueOf(port).replaceAll(".*:", "")).as("%s publishes a port the bundle serves", name).isIn(containerPorts);
            }
        });
        assertThat(published).as("docs/operations.md's table of published ports").isNotEmpty().isEqualTo(documented);
        nodes().forEach((name, node) -> assertThat(list(node, "ports").stream().map(port -> String.valueOf(port).replaceAll(".*:", "")))
                .as("%s publishes both its ports", name).containsExactlyInAnyOrderElementsOf(containerPorts));
    }

    @Test
    void theBuildContextHoldsWhatTheDockerfileCopiesAndNoDonorData() throws IOException {
        Map<String, Object> build = map(service("contact-sync"), "build");
        Path context = COMPOSE.getParent().resolve(String.valueOf(build.get("context"))).normalize();
        assertThat(context.toAbsolutePath()).as("the build context is the project root, where .dockerignore is")
                .isEqualTo(Path.of("").toAbsolutePath());
        assertThat(context.resolve(String.valueOf(build.get("dockerfile"))).normalize()).isEqualTo(DOCKERFILE);
        List<String> ignore = Files.readAllLines(DOCKERIGNORE);
        for (String excluded : List.of("data/contact-sync.mv.db", "data/inbox/donors.csv", "target/virtuous-contact-sync-0.1.0-SNAPSHOT.jar",
                "target/classes/application.properties", ".git/HEAD", "bundle.log", "logs/run.log", "donors-export.csv", "bench/results.md",
                "src/test/java/org/contactsync/DockerFilesTest.java", "secrets/virtuous.api.key")) {
            assertThat(ignored(ignore, excluded)).as("%s stays out of the build context", excluded).isTrue();
        }
        List<String> copies = instructions("COPY").stream().filter(copy -> !copy.startsWith("--from=")).toList();
        assertThat(copies).isNotEmpty();
        for (String copy : copies) {
            String[] parts = copy.split("\\s+");
            for (String part : List.of(parts).subList(0, parts.length - 1)) {
                Path source = Path.of(part);
                assertThat(source).as("COPY %s: the source is in the repository", part).exists();
                try (Stream<Path> files = Files.isDirectory(source) ? Files.walk(source).filter(Files::isRegularFile) : Stream.of(source)) {
                    files.forEach(file -> assertThat(ignored(ignore, file.toString().replace('\\', '/')))
                            .as("%s (COPY %s) is in the build context", file, part).isFalse());
                }
            }
        }
        String main = instructions("CMD").get(0).replaceAll(".*\"([\\w.]+)\"]$", "$1");
        assertThat(main).isEqualTo(ContactSyncApplication.class.getName());
    }

    /**
     * Docker's reading of .dockerignore: a pattern (Go's filepath.Match, with {@code **} for any depth) excludes a path
     * when it matches the path or a directory above it; a {@code !} pattern takes it back; the last matching line decides.
     */
    static boolean ignored(List<String> patterns, String path) {
        boolean ignored = false;
        for (String line : patterns) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            boolean exception = pattern.startsWith("!");
            pattern = pattern.substring(exception ? 1 : 0).replaceAll("^/+|/+$", "");
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            String prefix = "";
            for (String part : path.split("/")) {
                prefix = prefix.isEmpty() ? part : prefix + "/" + part;
                if (matcher.matches(Path.of(prefix))) {
                    ignored = !exception;
                    break;
                }
            }
        }
        return ignored;
    }

    /** The Dockerfile's instructions of one kind, their arguments with continuation lines joined, in order. */
    static List<String> instructions(String kind) throws IOException {
        List<String> found = new ArrayList<>();
        StringBuilder instruction = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            if (instruction.isEmpty() && (line.isBlank() || line.strip().startsWith("#"))) {
                continue;
            }
            boolean continues = line.endsWith("\\");
            instruction.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String[] parts = instruction.toString().strip().split("\\s+", 2);
                if (parts[0].equalsIgnoreCase(kind)) {
                    found.add(parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : "");
                }
                instruction.setLength(0);
            }
        }
        return found;
    }

    /** The services that run the bundle: those built from docker/Dockerfile. */
    static Map<String, Map<String, Object>> nodes() throws IOException {
        Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        map(compose(), "services").forEach((name, service) -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> definition = (Map<String, Object>) service;
            if (definition.containsKey("build")) {
                nodes.put(name, definition);
            }
        });
        return nodes;
    }

    static Map<String, Object> service(String name) throws IOException {
        return map(map(compose(), "services"), name);
    }

    /** A service's secrets: the secret's name and the file name it is mounted under in /run/secrets. */
    static Map<String, String> secretTargets(Map<String, Object> service) {
        Map<String, String> targets = new LinkedHashMap<>();
        for (Object secret : list(service, "secrets")) {
            Map<?, ?> mount = (Map<?, ?>) secret;
            targets.put(String.valueOf(mount.get("source")), String.valueOf(mount.get("target")));
        }
        return targets;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(COMPOSE));
    }

    static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(reader);
        }
        return properties;
    }

    private static Map<String, String> envFile(Path file) throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                variables.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return variables;
    }

    /** A Camel Main setting's default, from camel-main's own catalogue of its settings. */
    private static String camelMainDefault(String name) throws IOException {
        try (InputStream metadata = DockerFilesTest.class.getClassLoader().getResourceAsStream("META-INF/camel-main-configuration-metadata.json")) {
            for (JsonNode property : new ObjectMapper().readTree(metadata).path("properties")) {
                if (name.equals(property.path("name").asText())) {
                    return property.path("defaultValue").asText();
                }
            }
        }
        throw new AssertionError("camel-main has no setting " + name);
    }

    private static Duration duration(String text) {
        Matcher parts = DURATION.matcher(text);
        assertThat(parts.matches() && !text.isEmpty()).as("a duration such as 20s or 1m30s: %s", text).isTrue();
        return Duration.ofMinutes(parts.group(1) == null ? 0 : Long.parseLong(parts.group(1)))
                .plusSeconds(parts.group(2) == null ? 0 : Long.parseLong(parts.group(2)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<?, ?> parent, String key) {
        Object value = parent.get(key);
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static List<Object> list(Map<?, ?> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : List.copyOf((List<?>) value);
    }
}
