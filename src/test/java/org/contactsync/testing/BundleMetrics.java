package org.contactsync.testing;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The bundle's meters in a Prometheus scrape, as a host serves them (/observe/metrics, /actuator/prometheus). */
public final class BundleMetrics {

    /** The gauges SyncMetrics registers, with the default prefix. */
    public static final List<String> GAUGES = List.of("virtuous_sync_donors", "virtuous_sync_pending_oldest_age_seconds",
            "virtuous_sync_rate_budget_remaining", "virtuous_sync_rate_share_remaining", "virtuous_sync_dead_letters_open",
            "virtuous_sync_webhook_reads_waiting", "virtuous_sync_pending_overdue");

    private static final Pattern GAUGE = Pattern.compile("^# TYPE (virtuous_sync_\\w+) gauge$", Pattern.MULTILINE);
    private static final Pattern SAMPLE = Pattern.compile("^virtuous_sync_\\w+(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    private BundleMetrics() {
    }

    /** Every gauge of the bundle is in the scrape, and every sample of its meters reads a number (a gauge whose source failed reads NaN). */
    public static void assertReadNumbers(String scrape) {
        assertThat(GAUGE.matcher(scrape).results().map(gauge -> gauge.group(1)).toList()).as(scrape).containsAll(GAUGES);
        Matcher sample = SAMPLE.matcher(scrape);
        while (sample.find()) {
            assertThat(sample.group(1)).as(sample.group()).isNotEqualTo("NaN");
        }
    }
}
