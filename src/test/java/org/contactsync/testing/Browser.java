package org.contactsync.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.awaitility.Awaitility.await;

/**
 * Debian's headless Chromium driven by Debian's chromedriver over the W3C WebDriver protocol, spoken with the JDK's
 * HttpClient: no browser or driver is downloaded at run time, and no WebDriver library is needed for the few commands
 * the tests use. {@code .ci/run} installs both packages.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The W3C key under which an element reference is returned. */
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process driver;
    private final URI session;

    private Browser(Process driver, URI session) {
        this.driver = driver;
        this.session = session;
    }

    /** Starts chromedriver and one headless Chromium with a fresh profile under {@code directory}. */
    public static Browser start(Path directory) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("the browser test needs Debian's chromium and chromium-driver: "
                    + "apt-get install -y chromium chromium-driver (.ci/run does)");
        }
        int port = SyncBundle.freePort();
        Process driver = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(directory.resolve("chromedriver.log").toFile()).start();
        try {
            URI base = URI.create("http://localhost:" + port);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> call("GET", base.resolve("/status"), null).path("ready").asBoolean());
            // without the background-networking flags Chromium keeps calling Google's hosts, which this closed network refuses
            Map<String, Object> options = Map.of("binary", CHROMIUM.toString(), "args", List.of("--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                    "--user-data-dir=" + Files.createDirectories(directory.resolve("chromium-profile"))));
            JsonNode created = call("POST", base.resolve("/session"),
                    Map.of("capabilities", Map.of("alwaysMatch", Map.of("browserName", "chrome", "goog:chromeOptions", options))));
            return new Browser(driver, base.resolve("/session/" + created.path("sessionId").asText()));
        } catch (Exception e) {
            driver.destroy();
            throw e;
        }
    }

    public void open(URI page) throws IOException, InterruptedException {
        command("POST", "/url", Map.of("url", page.toString()));
    }

    /** The visible text of each element the CSS selector matches, in document order. */
    public List<String> texts(String css) throws IOException, InterruptedException {
        List<String> texts = new ArrayList<>();
        for (String element : elements(css)) {
            texts.add(command("GET", "/element/" + element + "/text", null).asText());
        }
        return texts;
    }

    /** The attribute of each element the CSS selector matches, in document order. */
    public List<String> attributes(String css, String attribute) throws IOException, InterruptedException {
        List<String> values = new ArrayList<>();
        for (String element : elements(css)) {
            values.add(command("GET", "/element/" + element + "/attribute/" + attribute, null).asText());
        }
        return values;
    }

    public void click(String css) throws IOException, InterruptedException {
        List<String> found = elements(css);
        if (found.size() != 1) {
            throw new IllegalStateException(css + " matches " + found.size() + " elements, not one");
        }
        command("POST", "/element/" + found.get(0) + "/click", Map.of());
    }

    /** Types into the one element the selector matches; for a file input, the text is the file's path, as a person's choice. */
    public void type(String css, String text) throws IOException, InterruptedException {
        List<String> found = elements(css);
        if (found.size() != 1) {
            throw new IllegalStateException(css + " matches " + found.size() + " elements, not one");
        }
        command("POST", "/element/" + found.get(0) + "/value", Map.of("text", text));
    }

    public void screenshot(Path png) throws IOException, InterruptedException {
        Files.write(png, Base64.getDecoder().decode(command("GET", "/screenshot", null).asText()));
    }

    private List<String> elements(String css) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        command("POST", "/elements", Map.of("using", "css selector", "value", css)).forEach(element -> ids.add(element.path(ELEMENT).asText()));
        return ids;
    }

    private JsonNode command(String method, String path, Object body) throws IOException, InterruptedException {
        return call(method, URI.create(session + path), body);
    }

    /** One WebDriver command; its {@code value}, or an exception with the driver's error. */
    private static JsonNode call(String method, URI uri, Object body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).method(method, publisher)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode value = JSON.readTree(response.body()).path("value");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("WebDriver " + method + " " + uri.getPath() + ": " + value.path("error").asText()
                    + ": " + value.path("message").asText());
        }
        return value;
    }

    @Override
    public void close() throws Exception {
        try {
            command("DELETE", "", null);
        } finally {
            driver.destroy();
            driver.waitFor();
        }
    }
}
