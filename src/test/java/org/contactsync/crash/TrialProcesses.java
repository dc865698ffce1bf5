package org.contactsync.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The processes the trials started and have not yet stopped. A JVM shutdown hook kills whatever is left, so a test
 * JVM that dies (a surefire timeout, Ctrl-C) leaves no bundle or sandbox holding a port.
 */
final class TrialProcesses {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(TrialProcesses::killTree), "crash-trial-cleanup"));
    }

    private TrialProcesses() {
    }

    static Process start(List<String> command, Path directory, Path log, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        RUNNING.add(process);
        return process;
    }

    static List<String> java(String mainClass, List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(StartupArchive.classpath());
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    /** SIGKILL to the process and its descendants (Process.destroyForcibly is SIGKILL on Linux), then waits for it. */
    static void kill(Process process) {
        killTree(process);
        await(process);
        RUNNING.remove(process);
    }

    /** SIGTERM, and SIGKILL when it has not stopped within 15 s. */
    static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                killTree(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(process);
        }
        await(process);
        RUNNING.remove(process);
    }

    /** The last {@code chars} characters of a log, for a failure message. */
    static String tail(Path log, int chars) {
        try {
            String text = Files.readString(log);
            return text.substring(Math.max(0, text.length() - chars));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static void await(Process process) {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("process " + process.pid() + " did not end within 30 s of SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
