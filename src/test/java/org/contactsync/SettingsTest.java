package org.contactsync;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.component.properties.DefaultPropertiesParser;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.contactsync.bundle.Settings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings are one list (Settings, with the production defaults a host runtime gets), every route file names only
 * settings of that list, and application.properties documents each with the same default, a secret from the environment.
 */
class SettingsTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{((?:sync|virtuous)\\.[^}:]+)(?::[^}]*)?}}");
    private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\{\\{env:[A-Z_]+:}}");

    @Test
    void everyRoutePlaceholderIsAKnownSetting() throws IOException {
        List<Path> routes;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            routes = files.filter(file -> file.toString().endsWith(".camel.yaml")).sorted().toList();
        }
        for (Path file : routes) {
            Matcher placeholder = PLACEHOLDER.matcher(Files.readString(file));
            while (placeholder.find()) {
                assertThat(Settings.DEFAULTS).as("%s in %s", placeholder.group(1), file.getFileName()).containsKey(placeholder.group(1));
            }
        }
    }

    @Test
    void applicationPropertiesDocumentsEverySettingWithItsDefault() throws IOException {
        Properties documented = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("application.properties"))) {
            documented.load(reader);
        }
        Settings.DEFAULTS.forEach((key, value) -> {
            assertThat(documented).as("%s documented in application.properties", key).containsKey(key);
            String written = documented.getProperty(key);
            assertThat(FROM_ENVIRONMENT.matcher(written).matches() ? "" : written).as("the default of %s", key).isEqualTo(value);
        });
        documented.stringPropertyNames().stream().filter(key -> key.startsWith("sync.") || key.startsWith("virtuous."))
                .forEach(key -> assertThat(Settings.DEFAULTS).as("%s in application.properties is a setting of the bundle", key).containsKey(key));
    }

    /**
     * A runtime's own lookup, as camel-spring-boot gives Camel Spring's environment: Camel consults it after the initial
     * properties the defaults are, so a default registered for a key the runtime sets would hide the host's value.
     */
    @Test
    void aValueFromTheRuntimesOwnLookupWinsOverTheDefault() {
        PropertiesComponent properties = (PropertiesComponent) new DefaultCamelContext().getPropertiesComponent();
        properties.setPropertiesParser(new DefaultPropertiesParser() {
            @Override
            public String customLookup(String key) {
                return key.equals("virtuous.api.base-url") ? "http://virtuous.host.example" : null;
            }
        });
        Settings settings = Settings.of(properties);
        assertThat(settings.text("virtuous.api.base-url")).isEqualTo("http://virtuous.host.example");
        assertThat(settings.text("sync.prefix")).isEqualTo("virtuous-sync");
    }
}
