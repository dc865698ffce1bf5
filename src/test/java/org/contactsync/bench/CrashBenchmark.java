package org.contactsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.contactsync.crash.CrashTrial;
import org.contactsync.crash.TrialDatabase;
import org.contactsync.crash.TrialResult;

/**
 * The crash bench of bench/README.md: seeded crash trials of a real process (CrashTrial), each 1,000 donors (750 posted
 * one by one at 50 a second by two clients, 25 of them posted again with a change, and a 250-donor CSV file) with the
 * sandbox's imports and webhooks running, the bundle killed with SIGKILL six times (one of each kind, in an order
 * the seed shuffles); 20 on H2, 3 on PostgreSQL, 3 on H2 with webhooks that carry no contactReferences, and one run
 * without crashes in which 20 % of Virtuous requests are faulted. Writes the figures to bench/crash-results.md (or the file named as the first argument) and prints them.
 * Not a test: {@code mvn -B -Pbench test-compile exec:exec -Dbench.main=org.contactsync.bench.CrashBenchmark
 * -Dbench.results=bench/crash-results.md}.
 *
 * <p>System properties: {@code crash.h2-trials} (20), {@code crash.pg-trials} (3), {@code crash.no-reference-trials}
 * (3), {@code crash.fault-trials} (1), {@code crash.first-seed} (1001: H2 trials take seeds from it, PostgreSQL trials
 * from it + 100, fault runs from it + 200, trials without references from it + 300), {@code crash.parallel} (trials
 * run side by side, 2), {@code crash.donors} (1000).
 */
public final class CrashBenchmark {

    /** One kill of each kind a trial. */
    private static final int KILLS = CrashTrial.Kill.values().length;

    private CrashBenchmark() {
    }

    public static void main(String... args) throws Exception {
        // 150 restarts and more: worth the 10 s it takes to make the class-data-sharing archive that speeds each up
        if (System.getProperty("crash.startup-archive") == null) {
            System.setProperty("crash.startup-archive", "true");
        }
        Path results = Path.of(args.length > 0 ? args[0] : "bench/crash-results.md");
        int h2Trials = Integer.getInteger("crash.h2-trials", 20);
        int pgTrials = Integer.getInteger("crash.pg-trials", 3);
        int faultTrials = Integer.getInteger("crash.fault-trials", 1);
        int noReferenceTrials = Integer.getInteger("crash.no-reference-trials", 3);
        long firstSeed = Long.getLong("crash.first-seed", 1001);
        int parallel = Integer.getInteger("crash.parallel", 2);
        int donors = Integer.getInteger("crash.donors", 1000);
        int bulk = donors / 4;
        int live = donors - bulk;

        Map<String, List<CrashTrial.Plan>> scenarios = new LinkedHashMap<>();
        List<CrashTrial.Plan> h2 = new ArrayList<>();
        for (int i = 0; i < h2Trials; i++) {
            h2.add(crashPlan(firstSeed + i, live, bulk));
        }
        List<CrashTrial.Plan> postgres = new ArrayList<>();
        for (int i = 0; i < pgTrials; i++) {
            postgres.add(crashPlan(firstSeed + 100 + i, live, bulk).on(TrialDatabase.POSTGRESQL));
        }
        List<CrashTrial.Plan> withoutReferences = new ArrayList<>();
        for (int i = 0; i < noReferenceTrials; i++) {
            withoutReferences.add(crashPlan(firstSeed + 300 + i, live, bulk).webhookReferences(false));
        }
        scenarios.put("H2, " + KILLS + " kills a trial", h2);
        scenarios.put("PostgreSQL, " + KILLS + " kills a trial", postgres);
        scenarios.put("H2, " + KILLS + " kills a trial, webhooks without contactReferences (the envelope seen in production)", withoutReferences);
        List<CrashTrial.Plan> faulted = new ArrayList<>();
        for (int i = 0; i < faultTrials; i++) {
            faulted.add(CrashTrial.Plan.of(firstSeed + 200 + i).donors(live, bulk, live / 30).kills(0).faults(0.2).pace(50)
                    .settleWithin(Duration.ofSeconds(120)));
        }
        scenarios.put("H2, no crash, 20 % of Virtuous requests faulted", faulted);

        long started = System.nanoTime();
        ExecutorService lanes = Executors.newFixedThreadPool(parallel);
        Map<String, List<Future<TrialResult>>> running = new LinkedHashMap<>();
        scenarios.forEach((name, plans) -> running.put(name, plans.stream()
                .map(plan -> lanes.submit(() -> new CrashTrial(plan).run())).toList()));
        Map<String, List<Object>> outcomes = new LinkedHashMap<>();
        for (Map.Entry<String, List<Future<TrialResult>>> scenario : running.entrySet()) {
            List<Object> done = new ArrayList<>();
            for (Future<TrialResult> trial : scenario.getValue()) {
                try {
                    done.add(trial.get());
                } catch (Exception e) {
                    done.add(e.getCause() == null ? e : e.getCause());
                }
            }
            outcomes.put(scenario.getKey(), done);
        }
        lanes.shutdown();
        String report = report(outcomes, scenarios, Duration.ofNanos(System.nanoTime() - started), parallel);
        Files.writeString(results, report);
        System.out.println(report);
    }

    private static CrashTrial.Plan crashPlan(long seed, int live, int bulk) {
        return CrashTrial.Plan.of(seed).donors(live, bulk, live / 30).kills(KILLS).pace(50).settleWithin(Duration.ofSeconds(120));
    }

    private static String report(Map<String, List<Object>> outcomes, Map<String, List<CrashTrial.Plan>> scenarios, Duration took, int parallel) {
        StringBuilder out = new StringBuilder();
        out.append("# Crash bench results\n\n");
        out.append(String.format(Locale.ROOT, "%s, Java %s, %d cores, %d trials side by side, %.1f min in all. What each column means: "
                        + "[README](README.md#crash-bench).%n%n",
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), parallel, took.toSeconds() / 60.0));
        CrashTrial.Plan example = scenarios.values().iterator().next().isEmpty() ? null : scenarios.values().iterator().next().get(0);
        if (example != null) {
            out.append(String.format(Locale.ROOT, "Each trial: %d live donors posted one by one (%d a second, two clients), %d of them posted "
                            + "again with a change once SYNCED, a %d-donor CSV file dropped into the inbox; the sandbox's import every 2 s "
                            + "and its webhooks; the bundle killed with SIGKILL %d times (the %d kinds in an order the seed shuffles) and "
                            + "restarted on the same directory and port.%n%n",
                    example.liveDonors(), example.donorsPerSecond(), example.updates(), example.bulkDonors(), example.kills(), KILLS));
        }
        for (Map.Entry<String, List<Object>> scenario : outcomes.entrySet()) {
            if (scenario.getValue().isEmpty()) {
                continue;
            }
            out.append("## ").append(scenario.getKey()).append("\n\n").append(TrialResult.tableHeader()).append('\n');
            List<TrialResult> results = new ArrayList<>();
            for (Object outcome : scenario.getValue()) {
                if (outcome instanceof TrialResult result) {
                    results.add(result);
                    out.append(result.tableRow()).append('\n');
                } else {
                    out.append("| ? | the trial did not run: ").append(String.valueOf(outcome).replace('|', '/').replace('\n', ' ')).append(" |\n");
                }
            }
            out.append('\n').append(totals(results)).append("\n\n");
            String violations = results.stream().filter(result -> !result.clean() || !result.notes().isEmpty())
                    .map(result -> "- seed " + result.plan().seed() + ": " + excerpt(result.violations(), 5)
                            + (result.notes().isEmpty() ? "" : (result.clean() ? "" : "; ") + "noted: " + excerpt(result.notes(), 3)))
                    .collect(Collectors.joining("\n"));
            if (!violations.isEmpty()) {
                out.append("The first violations of each trial that had any (and its first dead letters):\n\n").append(violations).append("\n\n");
            }
        }
        return out.toString();
    }

    private static String excerpt(List<String> lines, int limit) {
        return lines.stream().limit(limit).collect(Collectors.joining("; ")) + (lines.size() > limit ? "; ... " + (lines.size() - limit) + " more" : "");
    }

    private static String totals(List<TrialResult> results) {
        int accepted = 0;
        int lost = 0;
        int takenTwice = 0;
        int lostWebhooks = 0;
        int duplicates = 0;
        int notSubmitted = 0;
        int updatesLost = 0;
        int kills = 0;
        int withViolations = 0;
        for (TrialResult result : results) {
            accepted += result.counts().accepted;
            lost += result.counts().lost;
            takenTwice += result.counts().takenTwice;
            lostWebhooks += result.counts().lostWebhooks;
            duplicates += result.counts().duplicates;
            notSubmitted += result.counts().notSubmitted;
            updatesLost += result.counts().updatesLost;
            kills += result.kills().size();
            withViolations += result.clean() ? 0 : 1;
        }
        return String.format(Locale.ROOT, "In all: %d trials (%d with violations), %d kills, %d donors accepted, %d lost, %d pairs taken twice, "
                        + "%d lost webhooks, %d duplicate Contacts, %d not submitted, %d accepted changes lost.",
                results.size(), withViolations, kills, accepted, lost, takenTwice, lostWebhooks, duplicates, notSubmitted, updatesLost);
    }
}
