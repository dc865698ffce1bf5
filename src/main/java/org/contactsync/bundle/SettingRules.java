package org.contactsync.bundle;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.quartz.CronExpression;

/**
 * The rule of every setting in {@link Settings#DEFAULTS}, checked once at start before anything of the bundle is
 * built: a setting the bundle would misread, or only trip over on the first donor, stops the start instead, with one
 * line naming the key, its value and the rule ({@link SettingException}). What is checked:
 * <ul>
 *   <li>every {@code sync.*} and {@code virtuous.*} key the host's Camel properties hold (its properties files, its
 *       initial and override properties) and every such JVM system property is a setting of the bundle; an unknown
 *       one is refused with the nearest known key, since a misspelled key would otherwise leave its setting at the
 *       default without a word;</li>
 *   <li>every {@code SYNC_*} and {@code VIRTUOUS_*} environment variable is one Camel maps to a setting (upper case,
 *       dots and dashes to underscores), except the service links Kubernetes adds for a Service named
 *       {@code sync} or {@code virtuous-*} ({@code *_SERVICE_HOST}, {@code *_PORT_8080_TCP}, ...);</li>
 *   <li>every setting's value, as the bundle will read it (whatever source it came from), against its rule below;</li>
 *   <li>the settings that depend on each other, and an API key for Virtuous's production API.</li>
 * </ul>
 * A secret's value is never shown: {@code ***}.
 */
public final class SettingRules {

    /** The secrets: never shown, in a refusal or anywhere else. */
    private static final Set<String> SECRETS = Set.of("virtuous.api.key", "sync.webhook.secret", "sync.datasource.password",
            "sync.status.password", "sync.alert.endpoint");

    /** The host of Virtuous's production API: a start against it without an API key could only fail every call. */
    static final String PRODUCTION_HOST = "api.virtuoussoftware.com";

    /** Keys earlier releases read, with what replaced them. */
    private static final Map<String, String> RETIRED = Map.of("virtuous.sandbox.enabled",
            "no longer a setting: to call a sandbox, point virtuous.api.base-url at it");

    private static final Pattern KUBERNETES_SERVICE_LINK = Pattern.compile(
            "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern ENDPOINT = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:\\S.*");
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** What a value must be, and the test of it. */
    record Rule(String must, Predicate<String> accepts) {
    }

    /** One rule per setting, in the order of application.properties (the first broken one is reported). */
    static final Map<String, Rule> RULES = rules();

    private SettingRules() {
    }

    /** Checks the settings as {@link #check(Settings, Map)} does, with this JVM's environment. */
    public static void check(Settings settings) {
        check(settings, System.getenv());
    }

    /** Throws a {@link SettingException} for the first setting the bundle cannot start with. */
    public static void check(Settings settings, Map<String, String> environment) {
        for (String key : settings.givenKeys()) {
            if (!RULES.containsKey(key)) {
                throw new SettingException("unknown setting " + key + " (" + Optional.ofNullable(RETIRED.get(key))
                        .orElseGet(() -> nearest(key, RULES.keySet()).map(known -> "did you mean " + known + "?")
                                .orElse("see application.properties for the settings of the bundle")) + ")");
            }
        }
        Map<String, String> variables = RULES.keySet().stream().collect(Collectors.toMap(SettingRules::variable, key -> key));
        for (String name : new TreeSet<>(environment.keySet())) {
            if ((name.startsWith("SYNC_") || name.startsWith("VIRTUOUS_")) && !variables.containsKey(name)
                    && !KUBERNETES_SERVICE_LINK.matcher(name).matches()) {
                throw new SettingException("unknown environment variable " + name + " (" + nearest(name, variables.keySet())
                        .map(known -> "did you mean " + known + ", for " + variables.get(known) + "?")
                        .orElse("no setting of the bundle is read from it") + ")");
            }
        }
        RULES.forEach((key, rule) -> {
            String value = value(settings, key);
            if (!rule.accepts().test(value)) {
                throw new SettingException(refusal(key, value, rule.must()));
            }
        });
        long renewMillis = Long.parseLong(value(settings, "sync.claim-renew-ms"));
        long leaseSeconds = Long.parseLong(value(settings, "sync.claim-lease-seconds"));
        if (Duration.ofMillis(renewMillis).multipliedBy(2).compareTo(Duration.ofSeconds(leaseSeconds)) > 0) {
            throw new SettingException(refusal("sync.claim-renew-ms", String.valueOf(renewMillis),
                    "at most half of sync.claim-lease-seconds (" + leaseSeconds + " s), so one missed renewal never lets a live node's claim lapse"));
        }
        // empty is a third of the deadline, below it whatever the deadline; only a warning set on its own can reach it
        String warnAfter = value(settings, "sync.pending.warn-after");
        Duration deadline = Settings.parseDuration("sync.pending.deadline", value(settings, "sync.pending.deadline"));
        if (!warnAfter.isEmpty() && Settings.parseDuration("sync.pending.warn-after", warnAfter).compareTo(deadline) >= 0) {
            throw new SettingException(refusal("sync.pending.warn-after", value(settings, "sync.pending.warn-after"),
                    "below sync.pending.deadline (" + value(settings, "sync.pending.deadline") + "), so the warning comes before the dead letter"));
        }
        if (value(settings, "virtuous.api.key").isEmpty() && PRODUCTION_HOST.equalsIgnoreCase(URI.create(value(settings, "virtuous.api.base-url")).getHost())) {
            throw new SettingException("virtuous.api.key: empty; set VIRTUOUS_API_KEY (virtuous.api.base-url is Virtuous's production API, "
                    + "where every call would be refused)");
        }
    }

    /** The environment variable Camel reads a setting from: sync.email-match from SYNC_EMAIL_MATCH. */
    static String variable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The one line refusing a value: key=value (a secret's as ***), and what it must be. */
    static String refusal(String key, String value, String must) {
        if (value.isEmpty()) {
            return key + ": empty; must be " + must;
        }
        return key + "=" + (SECRETS.contains(key) ? "***" : value) + ": must be " + must;
    }

    /** The known name closest to a misspelt one, when it is close enough to be what was meant. */
    static Optional<String> nearest(String name, Set<String> known) {
        return known.stream().min(Comparator.comparingInt((String candidate) -> distance(name, candidate)).thenComparing(Comparator.naturalOrder()))
                .filter(candidate -> distance(name, candidate) <= Math.max(2, name.length() / 3));
    }

    /** Levenshtein distance: the fewest single-character insertions, deletions and substitutions between a and b. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String value(Settings settings, String key) {
        try {
            return settings.text(key);
        } catch (RuntimeException e) {
            // a placeholder in the value that names nothing ({{env:NAME}} without a default, unset)
            throw new SettingException(key + ": cannot be resolved: " + e.getMessage());
        }
    }

    private static Map<String, Rule> rules() {
        Map<String, Rule> rules = new LinkedHashMap<>();
        rules.put("sync.prefix", new Rule("lower-case letters and digits in words joined by dashes (virtuous-sync)", PREFIX.asMatchPredicate()));
        rules.put("sync.clock", any());
        rules.put("virtuous.api.base-url", url("an http:// or https:// URL without query (https://api.virtuoussoftware.com)"));
        // a key pasted with a line break or a space in it would be refused by Virtuous on every call
        rules.put("virtuous.api.key", new Rule("a key without spaces or line breaks inside", value -> value.chars().noneMatch(Character::isWhitespace)));
        rules.put("virtuous.rate.limit-per-hour", whole(1));
        rules.put("virtuous.rate.max-share", new Rule("a number above 0 and at most 1 (0.25: a quarter of the budget)",
                value -> decimal(value).filter(share -> share > 0 && share <= 1).isPresent()));
        rules.put("virtuous.rate.floor", whole(0));
        rules.put("virtuous.rate.window", positiveDuration());
        rules.put("sync.live.max-delay", positiveDuration());
        rules.put("virtuous.auth.probe-interval-ms", whole(1));
        rules.put("virtuous.circuit.failure-threshold", whole(1));
        rules.put("virtuous.circuit.open-for-ms", whole(1));
        rules.put("sync.health.budget-wait-max", duration());
        rules.put("sync.reference-source", text());
        rules.put("sync.default-contact-type", text());
        rules.put("sync.default-email-type", text());
        rules.put("sync.default-phone-type", text());
        rules.put("sync.email-match", oneOf("associate", "submit"));
        rules.put("sync.concurrency", whole(1));
        rules.put("sync.queue-size", whole(1));
        rules.put("sync.claim-lease-seconds", whole(1));
        rules.put("sync.redrive.period-ms", whole(1));
        rules.put("sync.redrive.batch-size", whole(1));
        rules.put("sync.bulk.threshold", whole(0));
        // Virtuous documents no limit on a Contact Batch's items, so none is imposed beyond one
        rules.put("sync.batch.size", whole(1));
        rules.put("sync.bulk.period-ms", whole(1));
        rules.put("sync.retry.max-redeliveries", whole(0));
        rules.put("sync.retry.initial-delay-ms", whole(0));
        rules.put("sync.retry.max-delay-ms", whole(0));
        rules.put("sync.webhook.secret", any());
        rules.put("sync.webhook.signature-header", new Rule("an HTTP header name (X-Virtuous-Signature)", HEADER_NAME.asMatchPredicate()));
        rules.put("sync.webhook.max-bytes", whole(1));
        rules.put("sync.webhook.read-period-ms", whole(1));
        rules.put("sync.webhook.read-batch-size", whole(1));
        rules.put("sync.inbox.dir", new Rule("a directory path (data/inbox)", value -> !value.isEmpty() && isPath(value)));
        rules.put("sync.inbox.charset", new Rule("auto, or a charset this JVM knows (UTF-8, windows-1252, ISO-8859-1)",
                value -> value.equals("auto") || isCharset(value)));
        rules.put("sync.intake.max-bytes", whole(1));
        rules.put("sync.intake.max-items", whole(1));
        rules.put("sync.intake.max-field-length", whole(1));
        // what a URL may be (H2 or PostgreSQL, durable) is the database's own check, when it opens
        rules.put("sync.datasource.url", text());
        rules.put("sync.datasource.username", any());
        rules.put("sync.datasource.password", any());
        rules.put("sync.datasource.pool-size", whole(1));
        // HikariCP's own floor
        rules.put("sync.datasource.connection-timeout-ms", whole(250));
        rules.put("sync.cluster.node-name", any());
        rules.put("sync.claim-renew-ms", whole(1));
        rules.put("sync.webhook.public-url", new Rule("empty, or an http:// or https:// URL without query (https://sync.example.org)",
                value -> value.isEmpty() || isUrl(value)));
        rules.put("sync.webhook.check-period-ms", whole(1));
        rules.put("sync.poll.cron", new Rule("a Quartz cron expression (0 0 0/4 * * ?: seconds, minutes, hours, day of month, month, day of week)",
                CronExpression::isValidExpression));
        rules.put("sync.poll.after", duration());
        rules.put("sync.poll.batch-size", whole(1));
        rules.put("sync.poll.query-min", whole(1));
        rules.put("sync.poll.query-overlap", duration());
        rules.put("sync.pending.deadline", positiveDuration());
        rules.put("sync.drift.check-period", duration());
        rules.put("sync.pending.warn-after", new Rule("empty (a third of sync.pending.deadline), or a duration above 0 such as 12h, below sync.pending.deadline",
                value -> value.isEmpty() || parsedDuration(value).filter(warn -> !warn.isZero() && !warn.isNegative()).isPresent()));
        // a Camel endpoint URI: scheme, colon, the rest (what the component accepts is its own check, at start)
        rules.put("sync.alert.endpoint", new Rule("empty, or a Camel endpoint URI such as log:overdue or https://alerts.example.org/hook?token=RAW(...)",
                value -> value.isEmpty() || ENDPOINT.matcher(value).matches()));
        rules.put("sync.alert.min-interval", duration());
        rules.put("sync.alert.check-period-ms", whole(1));
        rules.put("sync.resolution.keep-ms", whole(1));
        rules.put("sync.update.recheck-after", duration());
        rules.put("sync.status.username", text());
        rules.put("sync.status.password", any());
        rules.put("sync.status.open", new Rule("true or false", value -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")));
        rules.put("sync.status.budget-sample-period-ms", whole(1));
        rules.put("sync.status.budget-samples", whole(1));
        return Collections.unmodifiableMap(rules);
    }

    private static boolean isCharset(String name) {
        try {
            return java.nio.charset.Charset.isSupported(name);
        } catch (java.nio.charset.IllegalCharsetNameException e) {
            return false;
        }
    }

    private static Rule any() {
        return new Rule("any text", value -> true);
    }

    private static Rule text() {
        return new Rule("a text that is not empty", value -> !value.isEmpty());
    }

    private static Rule oneOf(String... allowed) {
        return new Rule("one of " + String.join("|", allowed), List.of(allowed)::contains);
    }

    private static Rule whole(long least) {
        return new Rule("a whole number of at least " + least, value -> {
            try {
                return Long.parseLong(value) >= least;
            } catch (NumberFormatException e) {
                return false;
            }
        });
    }

    private static Rule positiveDuration() {
        return new Rule("a duration above 0 such as 6h, 1d12h, 90m or PT6H",
                value -> parsedDuration(value).filter(duration -> !duration.isZero() && !duration.isNegative()).isPresent());
    }

    private static Rule duration() {
        return new Rule("a duration such as 6h, 1d12h, 90m, 0s or PT6H", value -> parsedDuration(value).filter(d -> !d.isNegative()).isPresent());
    }

    private static Rule url(String must) {
        return new Rule(must, SettingRules::isUrl);
    }

    private static Optional<Double> decimal(String value) {
        try {
            return Optional.of(Double.parseDouble(value));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> parsedDuration(String value) {
        try {
            return Optional.of(Settings.parseDuration("", value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean isUrl(String value) {
        try {
            URI uri = new URI(value);
            return uri.getScheme() != null && List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    && uri.getHost() != null && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isPath(String value) {
        try {
            Path.of(value);
            return true;
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
