package org.contactsync.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** The bundle's jar as {@code mvn package} makes it, for a test that hands it to a host (the test phase runs before package). */
public final class BundleJar {

    private BundleJar() {
    }

    /**
     * target/classes without application.properties, which maven-jar-plugin leaves out too (pom.xml), written to
     * {@code jar} with its folders' entries and a manifest, as that plugin writes a jar.
     */
    public static Path write(Path jar) throws IOException {
        Path classes = Path.of("target/classes").toAbsolutePath();
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream entries = new JarOutputStream(out, manifest());
                Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(file -> !file.equals(classes)).sorted().toList()) {
                String name = classes.relativize(file).toString().replace('\\', '/');
                if (Files.isDirectory(file)) {
                    // as maven-jar-plugin writes them: Flyway finds db/migration in a nested jar (Spring Boot's) only by its entry
                    entries.putNextEntry(new JarEntry(name + "/"));
                    entries.closeEntry();
                } else if (!name.equals("application.properties")) {
                    entries.putNextEntry(new JarEntry(name));
                    Files.copy(file, entries);
                    entries.closeEntry();
                }
            }
        }
        return jar;
    }

    private static Manifest manifest() {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        return manifest;
    }
}
