package org.contactsync;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.main.MainConfigurationProperties;
import org.contactsync.bundle.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the README and docs/ promise a reader: short, self-contained, links that resolve, the commands CI runs, every flow step named. */
class DocsTest {

    /** Camel Main's defaults for the Camel settings application.properties leaves to it (camel.server.port: for --port). */
    private static final Map<String, String> CAMEL_DEFAULTS = Map.of("camel.server.port",
            String.valueOf(new MainConfigurationProperties().httpServer().getPort()));

    private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
    private static final Pattern FENCED = Pattern.compile("(?ms)^```([\\w-]*)[^\\n]*\\n(.*?)^```[ \\t]*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}[ \\t]+(.*\\S)[ \\t]*$");
    private static final Pattern DIRECT = Pattern.compile("direct:\\{\\{sync\\.prefix}}-([a-z0-9-]+)");

    /** The README stays short: at most 200 lines. */
    @Test
    void readmeIsAtMost200Lines() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md")).size()).isLessThanOrEqualTo(200);
    }

    /** No page points at ../shared, which a user of the product does not have. */
    @Test
    void noPageReferencesShared() throws IOException {
        for (Path page : pages()) {
            assertThat(Files.readString(page)).as(ROOT.relativize(page).toString()).doesNotContain("../shared");
        }
    }

    /** Every relative link resolves to a file of the repository, and its #anchor to a heading of the .md it names. */
    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            Matcher link = LINK.matcher(INLINE_CODE.matcher(FENCED.matcher(Files.readString(page)).replaceAll("")).replaceAll(""));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("(?i)(https?|mailto):.*")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md") && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    /** The README gives the demo and test commands, each alone on a line of a fenced bash block. */
    @Test
    void readmeGivesTheTwoCommandsInBashBlocks() throws IOException {
        Set<String> bashLines = new HashSet<>();
        Matcher block = FENCED.matcher(Files.readString(ROOT.resolve("README.md")));
        while (block.find()) {
            if (block.group(1).equals("bash")) {
                block.group(2).lines().map(String::strip).forEach(bashLines::add);
            }
        }
        assertThat(bashLines).contains("mvn -B test-compile exec:java", "mvn -B test");
    }

    /** CI runs exactly the README's test command: .ci/run's last non-blank line is mvn -B test. */
    @Test
    void ciRunEndsWithTheTestCommand() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(".ci/run")).stream().filter(line -> !line.isBlank()).toList();
        assertThat(lines).isNotEmpty();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("mvn -B test");
    }

    /** Every direct: step the route files call is named in docs/routes.md with the default prefix. */
    @Test
    void routesPageNamesEveryDirectStepTheRouteFilesCall() throws IOException {
        String routesPage = Files.readString(ROOT.resolve("docs/routes.md"));
        Set<String> names = new TreeSet<>();
        List<Path> routeFiles;
        try (Stream<Path> files = Files.list(ROOT.resolve("routes"))) {
            routeFiles = files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : routeFiles) {
            // what the routes call, not what their comments mention
            Matcher direct = DIRECT.matcher(Files.readString(file).replaceAll("(?m)^[ \\t]*#.*$", ""));
            while (direct.find()) {
                names.add(direct.group(1));
            }
        }
        assertThat(names).isNotEmpty();
        List<String> missing = names.stream()
                .filter(name -> !Pattern.compile("virtuous-sync-" + Pattern.quote(name) + "(?![\\w-])").matcher(routesPage).find())
                .toList();
        assertThat(missing).as("direct: names missing from docs/routes.md").isEmpty();
    }

    /** Every setting a page names in code is one of the bundle's settings (a name ending in . or .* one's prefix). */
    @Test
    void everySettingAPageNamesIsASettingOfTheBundle() throws IOException {
        Pattern named = Pattern.compile("`((?:sync|virtuous)\\.[a-z0-9.-]*[a-z0-9.*])`");
        for (Path page : pages()) {
            Matcher setting = named.matcher(Files.readString(page));
            while (setting.find()) {
                String name = setting.group(1);
                String prefix = name.replaceAll("\\.\\*?$", ".");
                assertThat(prefix.endsWith(".") ? Settings.DEFAULTS.keySet().stream().anyMatch(key -> key.startsWith(prefix))
                        : Settings.DEFAULTS.containsKey(name)).as("%s in %s", name, ROOT.relativize(page)).isTrue();
            }
        }
    }

    /**
     * Each default docs/settings.md gives in its tables (`key` | `default`, or `a` / `.b` | `1` / `2`) is the bundle's:
     * Settings' for its own keys, application.properties' for Camel's, Camel Main's own for those the file leaves to it.
     */
    @Test
    void theSettingsPageGivesEachDefaultAsTheBundleHasIt() throws IOException {
        Pattern row = Pattern.compile("(?m)^\\| ((?:`[a-z0-9.-]+`(?: / )?)+) \\| (empty|(?:`[^`|]*`(?: / )?)+) \\|");
        Pattern code = Pattern.compile("`([^`]*)`");
        Properties shipped = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("application.properties"))) {
            shipped.load(reader);
        }
        Matcher table = row.matcher(Files.readString(ROOT.resolve("docs/settings.md")));
        int checked = 0;
        while (table.find()) {
            List<String> keys = code.matcher(table.group(1)).results().map(match -> match.group(1)).toList();
            List<String> defaults = table.group(2).equals("empty") ? keys.stream().map(key -> "").toList()
                    : code.matcher(table.group(2)).results().map(match -> match.group(1)).toList();
            if (defaults.stream().anyMatch(value -> value.matches("[A-Z_]+"))) {
                // the secrets' table: the environment variable, not a default
                continue;
            }
            assertThat(defaults).as("defaults of %s", keys).hasSameSizeAs(keys);
            String parent = keys.get(0).substring(0, keys.get(0).lastIndexOf('.'));
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i).startsWith(".") ? parent + keys.get(i) : keys.get(i);
                String actual = Settings.DEFAULTS.containsKey(key) ? Settings.DEFAULTS.get(key)
                        : shipped.getProperty(key, CAMEL_DEFAULTS.get(key));
                assertThat(actual).as("the default of %s", key).isEqualTo(defaults.get(i));
                checked++;
            }
        }
        assertThat(checked).as("defaults checked").isGreaterThan(20);
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation but hyphens dropped, spaces to hyphens, repeats numbered. */
    private static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        Matcher heading = HEADING.matcher(FENCED.matcher(Files.readString(page)).replaceAll(""));
        while (heading.find()) {
            String slug = heading.group(1).replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
            int repeat = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(repeat == 0 ? slug : slug + "-" + repeat);
        }
        return anchors;
    }
}
