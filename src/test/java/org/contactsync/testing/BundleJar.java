package org.contactsync.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** The bundle's jar as {@code mvn package} makes it, for a test that hands it to a host (the test phase runs before package). */
public final class BundleJar {

    private BundleJar() {
    }

    /** target/classes without application.properties, which maven-jar-plugin leaves out too (pom.xml), written to {@code jar}. */
    public static Path write(Path jar) throws IOException {
        Path classes = Path.of("target/classes").toAbsolutePath();
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream entries = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                if (!name.equals("application.properties")) {
                    entries.putNextEntry(new JarEntry(name));
                    Files.copy(file, entries);
                    entries.closeEntry();
                }
            }
        }
        return jar;
    }
}
