package org.contactsync.crash;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.contactsync.ContactSyncApplication;
import org.contactsync.testing.SyncBundle;

import static org.awaitility.Awaitility.await;

/**
 * Makes the bundle's restarts faster: a trial starts the bundle's JVM once per kill, and the JVM spends most of its
 * start loading classes. A class-data-sharing archive (JDK 13+: -XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile)
 * of what a start loads cuts that by about a third. The archive only accepts jars on the class path, so the test
 * class path's directories (target/classes, target/test-classes) are packed into jars named by their content: the
 * bundle runs the same classes, as it would from its own jar in production.
 *
 * <p>Made once per class path and JDK, under target/crash-cds, by starting the bundle and stopping it with SIGTERM
 * (about 10 s), and reused by later runs while nothing changed. Only with {@code -Dcrash.startup-archive=true}, which
 * the crash bench sets: a few CI trials on a fresh build would spend on making it about what it saves them. When
 * anything goes wrong the trials run without it: a JVM that cannot use an archive ignores it, so this only ever
 * changes how fast a start is.
 */
final class StartupArchive {

    private static final Path CACHE = Files.isDirectory(Path.of("target")) ? Path.of("target", "crash-cds").toAbsolutePath()
            : Path.of(System.getProperty("java.io.tmpdir"), "crash-cds");
    private static String classpath;
    private static List<String> options;

    private StartupArchive() {
    }

    /** The class path the bundle runs with: the test class path, with the archive its directories as jars. */
    static synchronized String classpath() {
        if (classpath == null && !Boolean.getBoolean("crash.startup-archive")) {
            classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        }
        if (classpath == null) {
            try {
                List<String> entries = new ArrayList<>();
                for (String entry : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(File.pathSeparator)) {
                    Path path = Path.of(entry);
                    entries.add(Files.isDirectory(path) ? jar(path).toString() : entry);
                }
                classpath = String.join(File.pathSeparator, entries);
            } catch (IOException | RuntimeException e) {
                System.out.println("[crash-trial] no jars for the class path's directories (" + e + "): the bundle runs from the directories");
                classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            }
        }
        return classpath;
    }

    /** The JVM options that use the archive, made first if need be; none when it cannot be made. */
    static synchronized List<String> jvmOptions() {
        if (options == null) {
            options = List.of();
            if (!Boolean.getBoolean("crash.startup-archive")) {
                return options;
            }
            try {
                Path archive = CACHE.resolve("bundle-" + hash(classpath() + System.getProperty("java.vm.version")) + ".jsa");
                if (!Files.exists(archive)) {
                    dump(archive);
                }
                if (Files.exists(archive)) {
                    options = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
                }
            } catch (Exception e) {
                System.out.println("[crash-trial] no class-data-sharing archive (" + e + "): restarts are slower");
            }
        }
        return options;
    }

    /** Starts the bundle alone (no Virtuous to reach, an H2 of its own), waits until it answers, and stops it with SIGTERM. */
    private static void dump(Path archive) throws Exception {
        Path directory = Files.createTempDirectory("crash-cds-");
        Path partial = Files.createDirectories(CACHE).resolve(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        int port = SyncBundle.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", classpath(), "-Dcamel.server.port=" + port, "-Dcamel.management.port=" + SyncBundle.freePort(),
                "-Dvirtuous.api.base-url=http://localhost:" + SyncBundle.freePort(),
                "-Dsync.datasource.url=jdbc:h2:file:" + directory.resolve("db"), "-Dsync.inbox.dir=" + directory.resolve("inbox"),
                ContactSyncApplication.class.getName()));
        System.out.println("[crash-trial] making the bundle's class-data-sharing archive " + archive);
        Process process = TrialProcesses.start(command, directory, directory.resolve("dump.log"), Map.of());
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the bundle exited: " + TrialProcesses.tail(directory.resolve("dump.log"), 2000));
                }
                try {
                    TrialHttp.send(TrialHttp.request("http://localhost:" + port + "/sync/health").GET(), Duration.ofSeconds(2));
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } finally {
            TrialProcesses.stop(process);
        }
        if (Files.exists(partial)) {
            // another JVM making the same archive at the same time writes the same content
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** The directory's files in a jar named by their paths, sizes and modification times; made when absent. */
    private static Path jar(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            // directories too: a class loader finds classpath:routes/ in a jar only by its directory entry
            files = walk.filter(path -> !path.equals(directory)).sorted().toList();
        }
        StringBuilder identity = new StringBuilder(directory.toAbsolutePath().toString());
        for (Path file : files) {
            if (Files.isRegularFile(file)) {
                identity.append('\n').append(directory.relativize(file)).append(' ').append(Files.size(file)).append(' ')
                        .append(Files.getLastModifiedTime(file).toMillis());
            }
        }
        Path jar = CACHE.resolve(directory.getFileName() + "-" + hash(identity.toString()) + ".jar");
        if (!Files.exists(jar)) {
            Path partial = Files.createDirectories(CACHE).resolve(jar.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            try (OutputStream out = Files.newOutputStream(partial); JarOutputStream packed = new JarOutputStream(out)) {
                for (Path file : files) {
                    String name = directory.relativize(file).toString().replace(File.separatorChar, '/');
                    boolean isDirectory = Files.isDirectory(file);
                    packed.putNextEntry(new JarEntry(isDirectory ? name + "/" : name));
                    if (!isDirectory) {
                        Files.copy(file, packed);
                    }
                    packed.closeEntry();
                }
            }
            Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
