package org.contactsync;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.contactsync.bundle.SettingException;
import org.contactsync.bundle.SettingRules;
import org.contactsync.bundle.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules every setting is checked against before the bundle builds anything: the production defaults pass, every
 * key the host gives must be a setting (the nearest one named when it is not), every value must fit its rule, and
 * each refusal is one line naming the key, the value (a secret's as ***) and the rule.
 */
class SettingsCheckTest {

    private static final String SANDBOX = "http://localhost:8089";

    @Test
    void theDefaultsPassWithAKeyAndEveryKeyOfTheBundleIsKnown() {
        Map<String, String> every = new HashMap<>(Settings.DEFAULTS);
        every.put("virtuous.api.key", "a-key");
        // each setting given explicitly, as a host's file would: none is unknown, and each default fits its rule
        assertThatCode(() -> check(every, Map.of())).doesNotThrowAnyException();
    }

    @Test
    void aProductionBaseUrlNeedsAKeyAndAnyOtherMayStartWithout() {
        assertThatThrownBy(() -> check(Map.of("virtuous.api.key", ""), Map.of())).isInstanceOf(SettingException.class)
                .hasMessageStartingWith("virtuous.api.key: empty; set VIRTUOUS_API_KEY");
        assertThatThrownBy(() -> check(Map.of("virtuous.api.base-url", "https://API.virtuoussoftware.com/", "virtuous.api.key", ""), Map.of()))
                .hasMessageStartingWith("virtuous.api.key: empty; set VIRTUOUS_API_KEY");
        assertThatCode(() -> check(Map.of("virtuous.api.base-url", SANDBOX, "virtuous.api.key", ""), Map.of())).doesNotThrowAnyException();
    }

    @Test
    void anUnknownKeyIsRefusedNamingTheNearestSetting() {
        assertThatThrownBy(() -> sandbox(Map.of("sync.emial-match", "submit")))
                .hasMessage("unknown setting sync.emial-match (did you mean sync.email-match?)");
        assertThatThrownBy(() -> sandbox(Map.of("sync.concurency", "8")))
                .hasMessage("unknown setting sync.concurency (did you mean sync.concurrency?)");
        assertThatThrownBy(() -> sandbox(Map.of("virtuous.sandbox.enabled", "true")))
                .hasMessage("unknown setting virtuous.sandbox.enabled (no longer a setting: to call a sandbox, point virtuous.api.base-url at it)");
        assertThatThrownBy(() -> sandbox(Map.of("sync.something-else-entirely", "x")))
                .hasMessage("unknown setting sync.something-else-entirely (see application.properties for the settings of the bundle)");
    }

    @Test
    void aHostsInitialPropertiesAreCheckedLikeItsOverrides() {
        CamelContext context = new DefaultCamelContext();
        Properties host = new Properties();
        host.put("virtuous.api.base-url", SANDBOX);
        host.put("sync.emial-match", "submit");
        context.getPropertiesComponent().setInitialProperties(host);
        Settings settings = Settings.of(context.getPropertiesComponent());
        assertThatThrownBy(() -> SettingRules.check(settings, Map.of())).hasMessage("unknown setting sync.emial-match (did you mean sync.email-match?)");
    }

    @Test
    void anEnvironmentVariableMustMapToASettingExceptKubernetesServiceLinks() {
        assertThatThrownBy(() -> check(Map.of("virtuous.api.base-url", SANDBOX), Map.of("SYNC_EMIAL_MATCH", "submit")))
                .hasMessage("unknown environment variable SYNC_EMIAL_MATCH (did you mean SYNC_EMAIL_MATCH, for sync.email-match?)");
        assertThatThrownBy(() -> check(Map.of("virtuous.api.base-url", SANDBOX), Map.of("VIRTUOUS_SANDBOX_ENABLED", "true")))
                .hasMessageStartingWith("unknown environment variable VIRTUOUS_SANDBOX_ENABLED (");
        assertThatCode(() -> check(Map.of("virtuous.api.base-url", SANDBOX), Map.of("SYNC_EMAIL_MATCH", "submit", "VIRTUOUS_API_KEY", "k",
                "VIRTUOUS_SYNC_SERVICE_HOST", "10.0.0.7", "VIRTUOUS_SYNC_PORT_8080_TCP_ADDR", "10.0.0.7", "SYNC_PORT", "tcp://10.0.0.8:80",
                "PATH", "/usr/bin"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "sync.email-match          # bogus            # sync.email-match=bogus: must be one of associate|submit",
        "sync.concurrency          # 0                # sync.concurrency=0: must be a whole number of at least 1",
        "sync.concurrency          # four             # sync.concurrency=four: must be a whole number of at least 1",
        "virtuous.rate.max-share   # 5                # virtuous.rate.max-share=5: must be a number above 0 and at most 1 (0.25: a quarter of the budget)",
        "virtuous.rate.max-share   # 0                # virtuous.rate.max-share=0: must be a number above 0 and at most 1 (0.25: a quarter of the budget)",
        "sync.datasource.pool-size # 0                # sync.datasource.pool-size=0: must be a whole number of at least 1",
        "sync.datasource.connection-timeout-ms # 100  # sync.datasource.connection-timeout-ms=100: must be a whole number of at least 250",
        "virtuous.auth.probe-interval-ms # 0          # virtuous.auth.probe-interval-ms=0: must be a whole number of at least 1",
        "sync.batch.size           # 0                # sync.batch.size=0: must be a whole number of at least 1",
        "sync.poll.after           # 6 hours          # sync.poll.after=6 hours: must be a duration such as 6h, 1d12h, 90m, 0s or PT6H",
        "sync.pending.deadline     # 0s               # sync.pending.deadline=0s: must be a duration above 0 such as 6h, 1d12h, 90m or PT6H",
        "sync.poll.cron            # every 4 hours    # sync.poll.cron=every 4 hours: must be a Quartz cron expression (0 0 0/4 * * ?: seconds, minutes, hours, day of month, month, day of week)",
        "virtuous.api.base-url     # api.virtuoussoftware.com # virtuous.api.base-url=api.virtuoussoftware.com: must be an http:// or https:// URL without query (https://api.virtuoussoftware.com)",
        "sync.webhook.public-url   # ftp://sync.example.org   # sync.webhook.public-url=ftp://sync.example.org: must be empty, or an http:// or https:// URL without query (https://sync.example.org)",
        "sync.status.open          # yes              # sync.status.open=yes: must be true or false",
        "sync.prefix               # Virtuous Sync    # sync.prefix=Virtuous Sync: must be lower-case letters and digits in words joined by dashes (virtuous-sync)",
        "sync.webhook.signature-header # X Signature  # sync.webhook.signature-header=X Signature: must be an HTTP header name (X-Virtuous-Signature)",
        "sync.claim-renew-ms       # 200000           # sync.claim-renew-ms=200000: must be at most half of sync.claim-lease-seconds (300 s), so one missed renewal never lets a live node's claim lapse",
        "sync.reference-source     # ''               # sync.reference-source: empty; must be a text that is not empty",
        "sync.pending.warn-after   # 1d12h            # sync.pending.warn-after=1d12h: must be below sync.pending.deadline (1d12h), so the warning comes before the dead letter",
        "sync.pending.warn-after   # 0s               # sync.pending.warn-after=0s: must be empty (a third of sync.pending.deadline), or a duration above 0 such as 12h, below sync.pending.deadline",
        "sync.alert.endpoint       # hooks.example.org/T0KEN # sync.alert.endpoint=***: must be empty, or a Camel endpoint URI such as log:overdue or https://alerts.example.org/hook?token=RAW(...)",
    })
    void aValueOutsideItsRuleIsRefusedInOneLineNamingKeyValueAndRule(String key, String value, String line) {
        assertThatThrownBy(() -> sandbox(Map.of(key, value))).isInstanceOf(SettingException.class).hasMessage(line);
    }

    @Test
    void aSecretsValueIsNeverShown() {
        assertThatThrownBy(() -> sandbox(Map.of("virtuous.api.key", "vk-live pasted with a space")))
                .hasMessage("virtuous.api.key=***: must be a key without spaces or line breaks inside")
                .satisfies(refusal -> assertThat(refusal.getMessage()).doesNotContain("vk-live"));
    }

    @Test
    void aValueIsCheckedAsTheBundleReadsItPlaceholdersResolved() {
        assertThatCode(() -> sandbox(Map.of("sync.redrive.batch-size", "{{sync.queue-size}}"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> sandbox(Map.of("sync.queue-size", "0", "sync.redrive.batch-size", "{{sync.queue-size}}")))
                .hasMessage("sync.queue-size=0: must be a whole number of at least 1");
    }

    /** Against the sandbox's URL, so no key is needed. */
    private static void sandbox(Map<String, String> given) {
        Map<String, String> all = new HashMap<>(given);
        all.putIfAbsent("virtuous.api.base-url", SANDBOX);
        check(all, Map.of());
    }

    /** The settings as Camel Main gives them (override properties), checked with the given environment. */
    private static void check(Map<String, String> given, Map<String, String> environment) {
        CamelContext context = new DefaultCamelContext();
        Properties overrides = new Properties();
        overrides.putAll(given);
        context.getPropertiesComponent().setOverrideProperties(overrides);
        SettingRules.check(Settings.of(context.getPropertiesComponent()), environment);
    }
}
