package org.contactsync.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.sandbox.VirtuousSandbox;

import static org.awaitility.Awaitility.await;

/**
 * A bundle running where the test cannot reach its beans (another JVM, a host's context), seen as a user sees it: over
 * HTTP, with the operator's credentials (user {@code operator}, the given {@code sync.status.password}) on /sync/ requests.
 */
public final class BundleHttp {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String baseUrl;
    private final String operatorPassword;

    public BundleHttp(String baseUrl, String operatorPassword) {
        this.baseUrl = baseUrl;
        this.operatorPassword = operatorPassword;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Authorization", SyncBundle.basic("operator", operatorPassword))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postDonor(String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/donors")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until GET /sync/donors/... shows the donor in the state, and returns that view; the context explains a timeout. */
    public Map<String, Object> awaitState(String referenceSource, String referenceId, String state, Supplier<String> context) {
        String path = "/sync/donors/" + referenceSource + "/" + referenceId;
        try {
            return await().atMost(Duration.ofSeconds(60)).until(() -> {
                HttpResponse<String> response = get(path);
                return response.statusCode() == 200 ? json(response.body()) : Map.<String, Object>of();
            }, donor -> state.equals(donor.get("state")));
        } catch (Exception | AssertionError e) {
            throw new AssertionError(path + " never showed " + state + ": " + e + "\n" + context.get(), e);
        }
    }

    /** Waits until the bundle answers GET /sync/status; the context explains a timeout (the bundle's log, say). */
    public void awaitUp(Duration within, Supplier<String> context) {
        try {
            await().atMost(within).ignoreExceptions().until(() -> get("/sync/status").statusCode() == 200);
        } catch (Exception | AssertionError e) {
            throw new AssertionError("the bundle never answered GET /sync/status: " + e + "\n" + context.get(), e);
        }
    }

    /** GET /sync/status: donors by state at its top level. */
    public Map<String, Object> status() throws IOException, InterruptedException {
        return json(get("/sync/status").body());
    }

    /** The Contact the sandbox holds for the reference pair, read as any Virtuous client would: GET /api/Contact/{source}/{id}. */
    public static Map<String, Object> contact(VirtuousSandbox sandbox, String referenceSource, String referenceId)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(sandbox.getBaseUrl() + "/api/Contact/" + referenceSource + "/" + referenceId))
                .header("Authorization", "Bearer " + sandbox.getApiKey()).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /api/Contact/" + referenceSource + "/" + referenceId + " answered " + response.statusCode());
        }
        return json(response.body());
    }

    private static Map<String, Object> json(String body) throws IOException {
        return JSON.readValue(body, new TypeReference<>() { });
    }
}
