package org.contactsync.bundle;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.spi.PropertiesComponent;

/**
 * Every {@code sync.*} and {@code virtuous.*} setting the bundle reads, with its production default, read through the
 * host's Camel properties (application.properties, the environment, -D, a vault, Spring Boot's environment). The
 * defaults are given to Camel as initial properties for the keys the host sets nowhere, so the route files name each
 * setting without a default of their own and whatever the host sets wins. application.properties documents each one.
 */
public final class Settings {

    private static final Pattern SHORT = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");

    /** The production defaults, one per setting; {@code ""} for a setting that has none (a secret, an optional URL). */
    public static final Map<String, String> DEFAULTS = defaults();

    private final PropertiesComponent properties;

    private Settings(PropertiesComponent properties) {
        this.properties = properties;
    }

    /**
     * The settings of this Camel context, its defaults registered as the context's initial properties where the host
     * gives no value at all. Only there: Camel consults its initial properties before a runtime's own lookup (Spring
     * Boot's environment), so a default registered for a key the host sets in Boot's application.properties would win.
     */
    public static Settings of(PropertiesComponent properties) {
        DEFAULTS.forEach((key, value) -> {
            if (properties.resolveProperty(key).isEmpty()) {
                properties.addInitialProperty(key, value);
            }
        });
        return new Settings(properties);
    }

    /**
     * Every {@code sync.*} and {@code virtuous.*} key the host gave: in the Camel properties (its properties files, its
     * initial and override properties; the bundle's own defaults among them) and among the JVM's system properties,
     * which Camel reads without listing them.
     */
    Set<String> givenKeys() {
        Set<String> keys = new TreeSet<>(properties.loadProperties(Settings::isBundleKey).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(Settings::isBundleKey).forEach(keys::add);
        return keys;
    }

    private static boolean isBundleKey(String key) {
        return key.startsWith("sync.") || key.startsWith("virtuous.");
    }

    public String text(String key) {
        Optional<String> value = properties.resolveProperty(require(key));
        // a value may name another setting ({{camel.server.port}}): resolved as Camel resolves any placeholder
        return value.map(text -> text.contains("{{") ? properties.parseUri(text) : text).map(String::strip).orElse("");
    }

    public int integer(String key) {
        return (int) number(key);
    }

    public long number(String key) {
        String value = text(key);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number");
        }
    }

    public double decimal(String key) {
        String value = text(key);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a number");
        }
    }

    public boolean flag(String key) {
        String value = text(key);
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + ": '" + value + "' is neither true nor false");
        }
        return Boolean.parseBoolean(value);
    }

    /**
     * {@code 6h}, {@code 1d12h}, {@code 90m}, {@code PT6H}: read strictly, so a typo stops the start instead of polling
     * every donor at once or dead-lettering them all.
     */
    public Duration duration(String key) {
        return parseDuration(key, text(key));
    }

    /** {@code sync.pending.warn-after}, or a third of {@code sync.pending.deadline} when it is empty (12h at the defaults). */
    public Duration pendingWarnAfter() {
        return text("sync.pending.warn-after").isEmpty() ? duration("sync.pending.deadline").dividedBy(3) : duration("sync.pending.warn-after");
    }

    /** A duration in the settings' own short form: 1d12h, 12h, 90m is 1h30m, 45s. */
    public static String shortDuration(Duration duration) {
        StringBuilder text = new StringBuilder();
        long seconds = duration.toSeconds();
        long[] sizes = {86_400, 3_600, 60, 1};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (seconds >= sizes[i]) {
                text.append(seconds / sizes[i]).append(units[i]);
                seconds %= sizes[i];
            }
        }
        return text.isEmpty() ? "0s" : text.toString();
    }

    /** The strict reading of a duration setting; names the setting when the text is not a duration. */
    public static Duration parseDuration(String setting, String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            Matcher parts = SHORT.matcher(value);
            if (!value.isEmpty() && parts.matches()) {
                return Duration.ofDays(digits(parts.group(1))).plusHours(digits(parts.group(2)))
                        .plusMinutes(digits(parts.group(3))).plusSeconds(digits(parts.group(4)));
            }
        } catch (DateTimeParseException e) {
            // reported below, with the setting's name
        }
        throw new IllegalArgumentException(setting + ": '" + text + "' is not a duration such as 6h, 1d12h, 90m or PT6H");
    }

    private static long digits(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }

    private static String require(String key) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalStateException("not a setting of the bundle: " + key);
        }
        return key;
    }

    private static Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("sync.prefix", "virtuous-sync");
        defaults.put("sync.clock", "");
        defaults.put("virtuous.api.base-url", "https://api.virtuoussoftware.com");
        defaults.put("virtuous.api.key", "");
        defaults.put("virtuous.rate.limit-per-hour", "5000");
        defaults.put("virtuous.rate.max-share", "0.25");
        defaults.put("virtuous.rate.floor", "250");
        defaults.put("virtuous.rate.window", "1h");
        defaults.put("virtuous.auth.probe-interval-ms", "60000");
        defaults.put("virtuous.circuit.failure-threshold", "5");
        defaults.put("virtuous.circuit.open-for-ms", "30000");
        defaults.put("sync.reference-source", "PartnerPlatform");
        defaults.put("sync.default-contact-type", "Household");
        defaults.put("sync.default-email-type", "Home Email");
        defaults.put("sync.default-phone-type", "Home Phone");
        defaults.put("sync.email-match", "associate");
        defaults.put("sync.concurrency", "4");
        defaults.put("sync.queue-size", "1000");
        defaults.put("sync.claim-lease-seconds", "300");
        defaults.put("sync.claim-renew-ms", "60000");
        defaults.put("sync.redrive.period-ms", "60000");
        defaults.put("sync.redrive.batch-size", "500");
        defaults.put("sync.bulk.threshold", "100");
        defaults.put("sync.batch.size", "250");
        defaults.put("sync.bulk.period-ms", "1000");
        defaults.put("sync.live.max-delay", "5m");
        defaults.put("sync.retry.max-redeliveries", "5");
        defaults.put("sync.retry.initial-delay-ms", "1000");
        defaults.put("sync.retry.max-delay-ms", "60000");
        defaults.put("sync.webhook.secret", "");
        defaults.put("sync.webhook.signature-header", "X-Virtuous-Signature");
        defaults.put("sync.webhook.max-bytes", "1048576");
        defaults.put("sync.webhook.read-period-ms", "5000");
        defaults.put("sync.webhook.read-batch-size", "100");
        defaults.put("sync.webhook.public-url", "");
        defaults.put("sync.webhook.check-period-ms", "21600000");
        defaults.put("sync.inbox.dir", "data/inbox");
        defaults.put("sync.inbox.charset", "auto");
        defaults.put("sync.intake.max-bytes", "5242880");
        defaults.put("sync.intake.max-items", "10000");
        defaults.put("sync.intake.max-field-length", "1000");
        defaults.put("sync.datasource.url", "jdbc:h2:file:./data/contact-sync");
        defaults.put("sync.datasource.username", "sa");
        defaults.put("sync.datasource.password", "");
        defaults.put("sync.datasource.pool-size", "10");
        defaults.put("sync.datasource.connection-timeout-ms", "30000");
        defaults.put("sync.cluster.node-name", "");
        defaults.put("sync.poll.cron", "0 0 0/4 * * ?");
        defaults.put("sync.poll.after", "6h");
        defaults.put("sync.poll.batch-size", "200");
        defaults.put("sync.poll.query-min", "10");
        defaults.put("sync.poll.query-overlap", "1h");
        defaults.put("sync.pending.deadline", "1d12h");
        defaults.put("sync.drift.check-period", "1d");
        defaults.put("sync.pending.warn-after", "");
        defaults.put("sync.alert.endpoint", "");
        defaults.put("sync.alert.min-interval", "15m");
        defaults.put("sync.alert.check-period-ms", "60000");
        defaults.put("sync.resolution.keep-ms", "259200000");
        defaults.put("sync.update.recheck-after", "5s");
        defaults.put("sync.health.budget-wait-max", "15m");
        defaults.put("sync.status.username", "operator");
        defaults.put("sync.status.password", "");
        defaults.put("sync.status.open", "false");
        defaults.put("sync.status.budget-sample-period-ms", "60000");
        defaults.put("sync.status.budget-samples", "1440");
        return Map.copyOf(defaults);
    }
}
