package org.contactsync.sandbox;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox as a process of its own, for a test that kills the bundle while Virtuous lives on, or for pointing a
 * bundle at by hand:
 *
 * <pre>
 * java -cp CLASSPATH org.contactsync.sandbox.SandboxMain --port 8089 --api-key KEY --batch-interval-seconds 2
 *      [--fault-rate 0.2 --fault-seed 7 --fault-hold-ms 3000] [--demo-contacts] [--webhook-references true|false]
 *      [--rate-limit-per-hour 5000] [--latency-ms 0]
 * </pre>
 *
 * Prints {@code Virtuous sandbox listening on http://localhost:PORT} once it listens (port 0 picks a free one) and runs
 * until it is stopped; SIGTERM stops it cleanly. A bad argument prints one line naming it and exits with status 2.
 */
public final class SandboxMain {

    static final int BAD_ARGUMENTS = 2;
    private static final String USAGE = "usage: SandboxMain [--port 8089] [--api-key KEY] [--batch-interval-seconds 30]"
            + " [--fault-rate 0..1 --fault-seed N --fault-hold-ms 3000] [--demo-contacts]"
            + " [--webhook-references true|false] [--rate-limit-per-hour 5000] [--latency-ms 0]";

    private SandboxMain() {
    }

    public static void main(String... args) throws InterruptedException {
        EmbeddedSandbox sandbox;
        try {
            sandbox = configure(args);
        } catch (IllegalArgumentException bad) {
            System.err.println("SandboxMain: " + bad.getMessage());
            System.exit(BAD_ARGUMENTS);
            return;
        }
        if (sandbox == null) {
            System.out.println(USAGE);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.stop();
            stopped.countDown();
        }, "virtuous-sandbox-shutdown"));
        boolean generatedKey = sandbox.sandbox().getApiKey() == null;
        try {
            sandbox.start();
        } catch (RuntimeException cannotListen) {
            System.err.println("SandboxMain: " + cannotListen.getMessage());
            System.exit(1);
        }
        if (generatedKey) {
            System.err.println("SandboxMain: no --api-key given; the sandbox accepts the generated key " + sandbox.apiKey());
        }
        System.out.println("Virtuous sandbox listening on " + sandbox.sandbox().getBaseUrl());
        System.out.flush();
        stopped.await();
    }

    /** The sandbox the arguments describe, not started; null when they ask for the usage. */
    static EmbeddedSandbox configure(String... args) {
        Deque<String> rest = new ArrayDeque<>(List.of(args));
        int port = 8089;
        long batchIntervalSeconds = 30;
        boolean demoContacts = false;
        String apiKey = null;
        Boolean webhookReferences = null;
        Integer rateLimit = null;
        long latencyMillis = 0;
        double faultRate = 0;
        long faultSeed = 1;
        long faultHoldMillis = 3000;
        while (!rest.isEmpty()) {
            String argument = rest.poll();
            switch (argument) {
                case "--help", "-h" -> {
                    return null;
                }
                case "--port" -> port = (int) number(argument, rest, 0, 65535);
                case "--api-key" -> apiKey = value(argument, rest);
                case "--batch-interval-seconds" -> batchIntervalSeconds = number(argument, rest, 0, Long.MAX_VALUE);
                case "--fault-rate" -> faultRate = rate(argument, rest);
                case "--fault-seed" -> faultSeed = number(argument, rest, Long.MIN_VALUE, Long.MAX_VALUE);
                case "--fault-hold-ms" -> faultHoldMillis = number(argument, rest, 0, Long.MAX_VALUE);
                case "--demo-contacts" -> demoContacts = true;
                case "--webhook-references" -> webhookReferences = bool(argument, rest);
                case "--rate-limit-per-hour" -> rateLimit = (int) number(argument, rest, 1, Integer.MAX_VALUE);
                case "--latency-ms" -> latencyMillis = number(argument, rest, 0, Long.MAX_VALUE);
                default -> throw new IllegalArgumentException("unknown argument '" + argument + "'; " + USAGE);
            }
        }
        // the demo Contacts carry the reference source the bundle uses by default (sync.reference-source)
        EmbeddedSandbox embedded = new EmbeddedSandbox(true, port, batchIntervalSeconds, demoContacts, "PartnerPlatform");
        VirtuousSandbox sandbox = embedded.sandbox();
        if (apiKey != null) {
            sandbox.setApiKey(apiKey);
        }
        if (webhookReferences != null) {
            sandbox.setWebhookReferencesIncluded(webhookReferences);
        }
        if (rateLimit != null) {
            sandbox.setRateLimitPerHour(rateLimit);
        }
        sandbox.setLatencyMillis(latencyMillis);
        sandbox.setRandomFaults(faultRate, faultSeed, Duration.ofMillis(faultHoldMillis));
        return embedded;
    }

    private static String value(String argument, Deque<String> rest) {
        String value = rest.poll();
        if (value == null || value.startsWith("--")) {
            throw new IllegalArgumentException(argument + " needs a value");
        }
        return value;
    }

    private static long number(String argument, Deque<String> rest, long min, long max) {
        String value = value(argument, rest);
        try {
            long number = Long.parseLong(value);
            if (number < min || number > max) {
                throw new IllegalArgumentException(argument + " must be between " + min + " and " + max + ": " + value);
            }
            return number;
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(argument + " takes a whole number, not '" + value + "'");
        }
    }

    private static double rate(String argument, Deque<String> rest) {
        String value = value(argument, rest);
        try {
            double rate = Double.parseDouble(value);
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException(argument + " must be between 0 and 1: " + value);
            }
            return rate;
        } catch (NumberFormatException notANumber) {
            throw new IllegalArgumentException(argument + " takes a probability between 0 and 1, not '" + value + "'");
        }
    }

    private static boolean bool(String argument, Deque<String> rest) {
        String value = value(argument, rest);
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException(argument + " takes true or false, not '" + value + "'");
    }
}
