package org.contactsync;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes' placeholders carry the production defaults a host runtime gets ({{key:default}}), and application.properties
 * documents every one of them: the same value, except where the demo turns on what production leaves off.
 */
class BundleDefaultsTest {

    /** The demo's settings (application.properties) that production must not inherit. */
    private static final Map<String, String> PRODUCTION = Map.of(
            "virtuous.api.base-url", "https://api.virtuoussoftware.com",
            "virtuous.sandbox.enabled", "false",
            "virtuous.sandbox.demo-contacts", "false",
            "sync.samples.enabled", "false");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}:]+)(?::([^}]*))?}}");
    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\{\\{env:[A-Z_]+:}}");

    @Test
    void everyPlaceholderHasTheDocumentedDefault() throws IOException {
        Properties documented = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            documented.load(reader);
        }
        Map<String, String> defaults = new HashMap<>();
        List<Path> routes;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            routes = files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : routes) {
            Matcher placeholder = PLACEHOLDER.matcher(Files.readString(file));
            while (placeholder.find()) {
                String key = placeholder.group(1);
                String value = placeholder.group(2);
                assertThat(value).as("%s in %s needs a default", key, file.getFileName()).isNotNull();
                assertThat(defaults.putIfAbsent(key, value)).as("%s has one default everywhere", key).isIn(null, value);
            }
        }
        assertThat(defaults).containsKeys(PRODUCTION.keySet().toArray(String[]::new));

        for (Map.Entry<String, String> setting : defaults.entrySet()) {
            String key = setting.getKey();
            assertThat(documented).as("%s documented in application.properties", key).containsKey(key);
            String demo = documented.getProperty(key);
            String expected = PRODUCTION.containsKey(key) ? PRODUCTION.get(key)
                    : FROM_ENVIRONMENT.matcher(demo).matches() ? "" : demo;
            assertThat(setting.getValue()).as("the default of %s", key).isEqualTo(expected);
        }
        // a production default the demo no longer overrides belongs with the others
        PRODUCTION.forEach((key, value) -> assertThat(documented.getProperty(key)).as(key).isNotEqualTo(value));
    }
}
