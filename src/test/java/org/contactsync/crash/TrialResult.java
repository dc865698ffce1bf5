package org.contactsync.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one {@link CrashTrial} found. {@link #violations()} names each broken promise with its reference pair;
 * {@link #clean()} is true when there is none. {@link #notes()} names what is allowed but worth a look (each dead
 * letter, with its reason).
 */
public record TrialResult(CrashTrial.Plan plan, Counts counts, List<KillRecord> kills, Map<String, Integer> faults, boolean settled,
                          Duration duration, List<String> violations, List<String> notes, Path directory) {

    /** One SIGKILL: its kind, when (ms since the trial started), and what was going on. */
    public record KillRecord(CrashTrial.Kill kind, long atMillis, String detail) {
    }

    /** The figures; each violation count has its lines in {@link #violations()}. */
    public static final class Counts {
        /** Donors accepted: a 202 for their POST, or their file in .done/. */
        public int accepted;
        /**
         * Donors sent and never accepted: refused with 400, never answered 202 by a bundle that kept failing, or in a file
         * that went to .failed/ (or never left the inbox); each has a violation line.
         */
        public int neverAccepted;
        /** Accepted, and not in the ledger at the end. */
        public int lost;
        /**
         * Accepted, and RECEIVED (or another state than SYNCED, PENDING, FAILED) after settling, or with a ledger row
         * the operator API cannot read (it answers 5xx).
         */
        public int stuck;
        /** FAILED without an open dead letter giving a reason. */
        public int failedWithoutReason;
        /** FAILED with a dead letter's reason: allowed, counted. */
        public int deadLettered;
        /** Reference pairs Virtuous took more than once (Transactions and Batch items). */
        public int takenTwice;
        /** Accepted donors neither SYNCED nor PENDING with a submission Virtuous took (FAILED ones included). */
        public int notSubmitted;
        /** Pairs whose Contact's webhook was acknowledged with a 2xx, and whose donor does not end SYNCED. */
        public int lostWebhooks;
        /**
         * State changes the bundle logged that its ledger's history lost (reported, not a check: the promises above are
         * about outcomes, and the poll repairs some of these); a durable ledger has none.
         */
        public int changesLoggedNotKept;
        /** Pairs carried by more than one (unmerged) Contact. */
        public int duplicates;
        /** PENDING at the end; of them, held by the sandbox now, and never taken by it. */
        public int pendingLeft;
        public int pendingHeld;
        public int pendingUntaken;
        /** Changed donors accepted; of them, whose change the ledger lost, and SYNCED without the change on the Contact. */
        public int updatesAccepted;
        public int updatesLost;
        public int updatesNotApplied;
        /** Webhook deliveries the sandbox made, and those answered 2xx. */
        public int webhookDeliveries;
        public int webhooksAcknowledged;
        /** Webhook subscriptions in the sandbox at the end (more than one: the bundle subscribed again after a crash). */
        public int subscriptions;
    }

    public boolean clean() {
        return violations.isEmpty();
    }

    public String summary() {
        Counts c = counts;
        return String.format(Locale.ROOT, "%s: %d accepted, %d never accepted, %d lost, %d stuck, %d failed without reason, %d taken twice, %d lost webhooks, "
                        + "%d duplicates, %d not submitted, %d changes accepted (%d lost, %d not applied), %d PENDING left (%d held, %d never taken), "
                        + "%d dead-lettered, %d state changes logged but not kept, %d kills, %s, %.1f s%s",
                plan.database().label() + " seed " + plan.seed(), c.accepted, c.neverAccepted, c.lost, c.stuck, c.failedWithoutReason, c.takenTwice, c.lostWebhooks,
                c.duplicates, c.notSubmitted, c.updatesAccepted, c.updatesLost, c.updatesNotApplied, c.pendingLeft, c.pendingHeld, c.pendingUntaken, c.deadLettered,
                c.changesLoggedNotKept, kills.size(), settled ? "settled" : "NOT settled", duration.toMillis() / 1000.0, faults.isEmpty() ? "" : ", faults " + faults);
    }

    /** The violations, at most {@code limit} of them, one a line, for a failure message. */
    public String report(int limit) {
        String listed = violations.stream().limit(limit).map(line -> "  " + line).collect(Collectors.joining("\n"));
        String noted = notes.stream().limit(limit).map(line -> "  " + line).collect(Collectors.joining("\n"));
        return summary() + (violations.isEmpty() ? "" : "\n" + listed + (violations.size() > limit ? "\n  ... " + (violations.size() - limit) + " more" : ""))
                + (notes.isEmpty() ? "" : "\nnotes:\n" + noted + (notes.size() > limit ? "\n  ... " + (notes.size() - limit) + " more" : ""))
                + "\nkills: " + kills.stream().map(kill -> kill.kind() + " at " + kill.atMillis() + " ms (" + kill.detail() + ")")
                .collect(Collectors.joining("; ")) + (clean() ? "" : "\nlogs and database kept in " + directory);
    }

    public static String tableHeader() {
        return "| seed | database | faults | kills | accepted | never accepted | lost | stuck | failed, no reason | taken twice | lost webhooks | duplicates "
                + "| not submitted | changes accepted (lost / not applied) | PENDING left (held) | dead-lettered | logged, not kept | subscriptions | settled | s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    public String tableRow() {
        Counts c = counts;
        String killKinds = kills.isEmpty() ? "0" : kills.size() + " (" + kills.stream().map(kill -> shortName(kill.kind()))
                .collect(Collectors.joining(", ")) + ")";
        return String.format(Locale.ROOT, "| %d | %s | %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d (%d / %d) | %d (%d) | %d | %d | %d | %s | %.0f |",
                plan.seed(), plan.database().label(), plan.faultRate() == 0 ? "-" : Math.round(plan.faultRate() * 100) + " %", killKinds,
                c.accepted, c.neverAccepted, c.lost, c.stuck, c.failedWithoutReason, c.takenTwice, c.lostWebhooks, c.duplicates, c.notSubmitted,
                c.updatesAccepted, c.updatesLost, c.updatesNotApplied, c.pendingLeft, c.pendingHeld, c.deadLettered, c.changesLoggedNotKept, c.subscriptions,
                settled ? "yes" : "no", duration.toMillis() / 1000.0);
    }

    private static String shortName(CrashTrial.Kill kind) {
        return switch (kind) {
            case AFTER_202 -> "202";
            case MID_BULK -> "bulk";
            case MID_POLL -> "poll";
            case MID_WEBHOOK -> "webhook";
            case MID_UPDATE -> "update";
            case MID_LIVE_CHUNK -> "live chunk";
        };
    }
}
