package org.contactsync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.contactsync.sandbox.VirtuousSandbox;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' one way to get a sandbox, a database directory and a bundle: registered with {@code @RegisterExtension}
 * on a static field, the three live for the whole class (and the sandbox forgets its requests before each test); on
 * an instance field, each test gets its own. The bundle starts with the fixture's settings unless {@link #startedByTest()}
 * says the test starts it itself, with settings of its own.
 */
public final class SyncFixture implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final Map<String, String> settings = new LinkedHashMap<>();
    private BiConsumer<VirtuousSandbox, TestClock> sandboxSetup = (sandbox, clock) -> { };
    private boolean startBundle = true;
    private boolean perClass;

    private VirtuousSandbox sandbox;
    private TestClock clock;
    private Path directory;
    private SyncBundle bundle;

    /** Settings every bundle of this fixture gets (a test's own start may add more). */
    public SyncFixture with(Map<String, String> more) {
        settings.putAll(more);
        return this;
    }

    public SyncFixture with(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** How the sandbox is set up before it starts (its import interval, its faults). */
    public SyncFixture sandbox(Consumer<VirtuousSandbox> setup) {
        return sandbox((sandbox, clock) -> setup.accept(sandbox));
    }

    /**
     * The same, given the fixture's clock: for a sandbox whose dates and rate windows move with the tests' time
     * ({@code sandbox.setClock(clock)}), which the setup cannot otherwise reach before the fixture exists.
     */
    public SyncFixture sandbox(BiConsumer<VirtuousSandbox, TestClock> setup) {
        this.sandboxSetup = setup;
        return this;
    }

    /** The test starts the bundle itself, with {@link #start(Map)}. */
    public SyncFixture startedByTest() {
        this.startBundle = false;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        open();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (perClass) {
            sandbox.clearRequests();
        } else {
            open();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (!perClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
    }

    private void open() throws Exception {
        directory = Files.createTempDirectory("sync-fixture");
        clock = new TestClock();
        sandbox = new VirtuousSandbox();
        sandbox.setPort(0);
        sandboxSetup.accept(sandbox, clock);
        sandbox.start();
        if (startBundle) {
            start(Map.of());
        }
    }

    /** Starts the bundle on the fixture's sandbox, database and clock, with these settings on top of the fixture's. */
    public SyncBundle start(Map<String, String> overrides) throws Exception {
        if (bundle != null) {
            throw new IllegalStateException("a bundle is running: restart() or stopBundle() first");
        }
        Map<String, String> all = new LinkedHashMap<>(settings);
        all.putAll(overrides);
        bundle = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), all, clock);
        return bundle;
    }

    /** Stops the running bundle, as a stop of its process would; the database and the sandbox stay. */
    public void stopBundle() {
        if (bundle != null) {
            bundle.close();
            bundle = null;
        }
    }

    /** A new bundle on the same database, sandbox and clock, with the fixture's settings and these on top. */
    public SyncBundle restart(Map<String, String> overrides) throws Exception {
        stopBundle();
        return start(overrides);
    }

    private void close() throws IOException {
        stopBundle();
        if (sandbox != null) {
            sandbox.stop();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    public VirtuousSandbox sandbox() {
        return sandbox;
    }

    public SyncBundle bundle() {
        if (bundle == null) {
            throw new IllegalStateException("no bundle is running");
        }
        return bundle;
    }

    public TestClock clock() {
        return clock;
    }

    public Path directory() {
        return directory;
    }
}
