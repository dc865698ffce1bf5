package org.contactsync;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.SyncState;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAPI document the jar carries ({@code virtuous-sync/openapi.yaml}, served at {@code GET /sync/openapi.yaml}) is
 * the API the bundle serves: its paths and methods are exactly the bundle's platform-http routes, and each endpoint,
 * driven against the sandbox into the answers it documents, answers with a status the document lists for it and a
 * body that validates against that answer's schema (OpenAPI 3.1: JSON Schema 2020-12, formats asserted). The last
 * test checks that every documented answer was reached but the few only a broken database gives.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiTest {

    private static final String DOCUMENT = "virtuous-sync/openapi.yaml";
    private static final String SECRET = "openapi-test-secret";
    private static final String SOURCE = "PartnerPlatform";
    private static final String WEBHOOK = "/webhooks/virtuous";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final int MAX_WEBHOOK_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    // HTTP/1.1, as platforms send: the JDK client's h2c upgrade once read the served document as HTTP/2 frames (noted in issue 17)
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDialect(Dialects.getOpenApi31(),
            registry -> registry.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    /** The answers only a failing database gives: documented, not driven here. */
    private static final Set<String> NOT_DRIVEN = Set.of("post /donors 500", "post /webhooks/virtuous 500", "get /sync/status 500",
            "get /sync/donors/{referenceSource}/{referenceId} 500", "get /sync/health 500", "get /sync/dead-letters 500",
            "post /sync/dead-letters/{id}/replay 500", "delete /sync/dead-letters/{id} 500",
            "post /sync/replays 500", "post /sync/replays/{token} 500",
            "post /sync/preview 500", "get /sync/preview/{id} 500", "get /sync/preview/{id}/report.csv 500");

    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture().with(Map.of(
            "sync.webhook.secret", SECRET,
            "sync.webhook.max-bytes", String.valueOf(MAX_WEBHOOK_BYTES),
            "sync.bulk.threshold", "3"));

    private static final JsonNode API = read();
    private static final Set<String> REACHED = new TreeSet<>();

    @Test
    @Order(1)
    void theBundleServesTheDocumentTheJarCarriesWithoutCredentials() throws Exception {
        Answer document = call("GET", "/sync/openapi.yaml", "/sync/openapi.yaml", null, Map.of());

        assertThat(document.status()).isEqualTo(200);
        try (InputStream shipped = OpenApiTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            assertThat(document.body()).isEqualTo(new String(shipped.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Valid OpenAPI 3.1, as Swagger UI, an API gateway or a client generator reads it, with every reference resolving. */
    @Test
    @Order(2)
    void theDocumentIsValidOpenApi() throws IOException {
        String text;
        try (InputStream shipped = OpenApiTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            text = new String(shipped.readAllBytes(), StandardCharsets.UTF_8);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).startsWith("3.1.");
        assertThat(parsed.getOpenAPI().getPaths()).isNotEmpty();
    }

    /** The document cannot drift from the routes: a route added, moved or removed fails here until the document says so. */
    @Test
    @Order(3)
    void theDocumentedOperationsAreExactlyThePlatformHttpRoutesOfTheBundle() {
        Set<String> served = new TreeSet<>();
        for (Route route : bundle().context().getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http) {
                assertThat(http.getHttpMethodRestrict()).as("%s names its one method", route.getRouteId()).isNotBlank().doesNotContain(",");
                served.add(http.getHttpMethodRestrict().toLowerCase(Locale.ROOT) + " " + http.getPath());
            }
        }
        Set<String> documented = new TreeSet<>();
        API.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (METHODS.contains(method)) {
                documented.add(method + " " + path.getKey());
            }
        }));
        assertThat(documented).isEqualTo(served).isNotEmpty();
    }

    @Test
    @Order(4)
    void postDonors() throws Exception {
        String valid = """
                {"referenceId": "api-1", "firstName": "Ada", "lastName": "Lovelace", "email": "Ada@Example.org", "tags": ["a", "b"]}""";
        requestConforms("post", "/donors", valid);
        Answer accepted = intake(valid);
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().path("accepted").get(0).path("admission").asText()).isEqualTo("NEW");

        Answer mixed = intake("""
                [{"referenceId": "api-2", "name": "The Analytical Society"}, {"firstName": "No", "lastName": "Reference"}, 7]""");
        assertThat(mixed.status()).isEqualTo(202);
        assertThat(mixed.json().path("accepted")).hasSize(1);
        assertThat(mixed.json().path("rejected")).hasSize(2);

        // more than sync.bulk.threshold: a bulk load, answered the same way
        String bulk = "[" + String.join(",", List.of(1, 2, 3, 4).stream()
                .map(i -> "{\"referenceId\":\"api-bulk-" + i + "\",\"firstName\":\"Bulk\",\"lastName\":\"Donor" + i + "\"}").toList()) + "]";
        requestConforms("post", "/donors", bulk);
        assertThat(intake(bulk).status()).isEqualTo(202);

        assertThat(intake("""
                {"referenceId": "api-bad", "firstName": "Bad", "lastName": "Email", "email": "not-an-email"}""").status()).isEqualTo(400);
        assertThat(intake("{not json").status()).isEqualTo(400);
        assertThat(intake("[]").status()).isEqualTo(400);
        assertThat(intake("[" + String.join(",", Collections.nCopies(10_001, "{}")) + "]").status()).as("past sync.intake.max-items").isEqualTo(413);
        assertThat(call("POST", "/donors", "/donors", "referenceId=api-form", Map.of("Content-Type", "text/plain")).status()).isEqualTo(415);
    }

    @Test
    @Order(5)
    void theOperatorsViews() throws Exception {
        bundle().awaitState(SOURCE, "api-1", SyncState.PENDING);
        await().atMost(Duration.ofSeconds(20)).until(() -> bundle().entry(SOURCE, "api-bulk-4").state() == SyncState.PENDING);

        JsonNode status = operator("GET", "/sync/status", "/sync/status", null).json();
        assertThat(status.path("oldestPending")).isNotEmpty();
        assertThat(status.path("bulkLoads")).isNotEmpty();
        assertThat(status.path("budgetHistory")).isNotEmpty();

        String donor = "/sync/donors/{referenceSource}/{referenceId}";
        Answer known = operator("GET", donor, "/sync/donors/" + SOURCE + "/api-1", null);
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.json().path("state").asText()).isEqualTo("PENDING");
        assertThat(operator("GET", donor, "/sync/donors/" + SOURCE + "/nobody", null).status()).isEqualTo(404);

        assertThat(operator("GET", "/sync/ui", "/sync/ui", null).status()).isEqualTo(200);
    }

    @Test
    @Order(6)
    void everyOperatorEndpointRefusesARequestWithoutTheCredentials() throws Exception {
        Map<String, String> wrong = Map.of("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, "not-the-password"));
        for (String[] endpoint : List.of(new String[] {"GET", "/sync/status", "/sync/status"},
                new String[] {"GET", "/sync/donors/{referenceSource}/{referenceId}", "/sync/donors/" + SOURCE + "/api-1"},
                new String[] {"GET", "/sync/ui", "/sync/ui"},
                new String[] {"GET", "/sync/dead-letters", "/sync/dead-letters"},
                new String[] {"POST", "/sync/dead-letters/{id}/replay", "/sync/dead-letters/1/replay"},
                new String[] {"DELETE", "/sync/dead-letters/{id}", "/sync/dead-letters/1?reason=x"})) {
            assertThat(call(endpoint[0], endpoint[1], endpoint[2], null, Map.of()).status()).as(endpoint[2]).isEqualTo(401);
            assertThat(call(endpoint[0], endpoint[1], endpoint[2], null, wrong).status()).as(endpoint[2]).isEqualTo(401);
        }
    }

    @Test
    @Order(7)
    void theDeadLetters() throws Exception {
        // api-bad (an invalid email) waits in the dead letter since postDonors
        String list = "/sync/dead-letters";
        long letter = letterOf("api-bad");
        assertThat(operator("GET", list, list, null).json().findValuesAsText("referenceId")).contains("api-bad");
        assertThat(operator("GET", list, list + "?limit=1", null).json()).hasSize(1);
        assertThat(operator("GET", list, list + "?limit=many", null).status()).isEqualTo(400);
        assertThat(operator("GET", list, list + "?limit=-1", null).status()).isEqualTo(400);

        String replay = "/sync/dead-letters/{id}/replay";
        String letterReplay = "/sync/dead-letters/" + letter + "/replay";
        assertThat(operator("POST", replay, letterReplay, null).status()).as("as stored: refused again").isEqualTo(400);
        assertThat(operator("POST", replay, letterReplay, "[1, 2]").status()).isEqualTo(400);
        assertThat(operator("POST", replay, "/sync/dead-letters/first/replay", null).status()).isEqualTo(400);
        assertThat(operator("POST", replay, "/sync/dead-letters/999999/replay", null).status()).isEqualTo(404);
        String corrected = """
                {"firstName": "Bad", "lastName": "Email", "email": "good@example.org"}""";
        requestConforms("post", replay, corrected);
        Answer replayed = operator("POST", replay, letterReplay, corrected);
        assertThat(replayed.status()).isEqualTo(202);
        assertThat(replayed.json().path("replayed").asLong()).isEqualTo(letter);
        assertThat(operator("POST", replay, letterReplay, corrected).status()).isEqualTo(409);

        // a second letter, to discard
        assertThat(intake("""
                {"referenceId": "api-discard", "firstName": "Old", "lastName": "Test", "birthYear": 1700}""").status()).isEqualTo(400);
        String discard = "/sync/dead-letters/{id}";
        String letterDiscard = "/sync/dead-letters/" + letterOf("api-discard");
        assertThat(operator("DELETE", discard, letterDiscard, null).status()).as("no reason").isEqualTo(400);
        assertThat(operator("DELETE", discard, "/sync/dead-letters/999999?reason=test", null).status()).isEqualTo(404);
        Answer discarded = operator("DELETE", discard, letterDiscard + "?reason=a%20test%20donor", null);
        assertThat(discarded.status()).isEqualTo(200);
        assertThat(discarded.json().path("reason").asText()).isEqualTo("a test donor");
        assertThat(operator("DELETE", discard, letterDiscard + "?reason=again", null).status()).isEqualTo(409);
        assertThat(operator("DELETE", discard, "/sync/dead-letters/last?reason=x", null).status()).isEqualTo(400);
    }

    @Test
    @Order(8)
    void theWebhookReceiver() throws Exception {
        long contactId = FIXTURE.sandbox().runBatch().stream().filter(result -> "api-1".equals(result.referenceId())).findFirst()
                .orElseThrow().contactId();
        String ours = """
                {"event": "ContactCreate", "contact": {"id": %d, "contactReferences": [{"source": "%s", "id": "api-1"}]}}"""
                .formatted(contactId, SOURCE);
        requestConforms("post", WEBHOOK, ours);
        Answer settled = deliver(ours, SyncBundle.signature(SECRET, ours));
        assertThat(settled.status()).isEqualTo(200);
        assertThat(settled.json().path("donors").asInt()).isEqualTo(1);
        bundle().awaitState(SOURCE, "api-1", SyncState.SYNCED);

        String documented = """
                {"eventType": "contact.updated", "eventId": 9, "data": {"id": 424242, "contactReferences": [{"source": "Shop", "id": "s-1"}]}}""";
        requestConforms("post", WEBHOOK, documented);
        assertThat(deliver(documented, SyncBundle.signature(SECRET, documented)).json().path("donors").asInt()).isZero();

        // no reference pairs while donors of ours wait for their Contacts (api-2 and the bulk load's: the sandbox
        // delivers no webhook here): stored for a read
        String bare = "{\"event\": \"ContactUpdate\", \"contact\": {\"id\": 515151}}";
        requestConforms("post", WEBHOOK, bare);
        assertThat(deliver(bare, SyncBundle.signature(SECRET, bare)).json().path("contactRead").asText()).isEqualTo("queued");

        assertThat(deliver(ours, null).status()).isEqualTo(401);
        assertThat(deliver(ours, SyncBundle.signature(SECRET, ours + " ")).status()).isEqualTo(401);
        assertThat(deliver("", SyncBundle.signature(SECRET, "")).status()).isEqualTo(400);
        assertThat(deliver("{not json", SyncBundle.signature(SECRET, "{not json")).status()).isEqualTo(400);
        String gift = "{\"event\": \"GiftCreate\", \"gift\": {\"id\": 1}}";
        assertThat(deliver(gift, SyncBundle.signature(SECRET, gift)).status()).isEqualTo(400);
        String huge = "{\"event\": \"ContactCreate\", \"pad\": \"" + "x".repeat(MAX_WEBHOOK_BYTES) + "\"}";
        assertThat(deliver(huge, SyncBundle.signature(SECRET, huge)).status()).isEqualTo(413);
    }

    /** 503 while Virtuous refuses the key (revoked), 200 again once a probe gets through with the key restored. */
    @Test
    @Order(9)
    void health() throws Exception {
        String health = "/sync/health";
        assertThat(call("GET", health, health, null, Map.of()).json().path("status").asText()).isEqualTo("UP");

        String key = FIXTURE.sandbox().getApiKey();
        FIXTURE.sandbox().setApiKey("revoked-" + key);
        try {
            assertThat(intake("{\"referenceId\": \"api-health\", \"name\": \"Probe Donor\"}").status()).isEqualTo(202);
            Answer down = await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", health, health, null, Map.of()),
                    answer -> answer.status() == 503);
            assertThat(down.json().path("checks").path("virtuous-access").path("details").path("state").asText()).isEqualTo("KEY_REFUSED");
        } finally {
            FIXTURE.sandbox().setApiKey(key);
        }
        // the refused request goes again as the probe, once its interval has passed
        FIXTURE.clock().advance(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(20)).until(() -> call("GET", health, health, null, Map.of()).status() == 200);
    }

    /** The preview's answers; Virtuous failing both the Query and the Find it falls back to is the 502. */
    @Test
    @Order(9)
    void thePreview() throws Exception {
        String preview = "/sync/preview";
        String donors = """
                [{"referenceId": "api-1", "firstName": "Ada", "lastName": "Lovelace"}, {"referenceId": "api-preview", "name": "Preview Donor"}]""";
        requestConforms("post", preview, donors);
        Answer report = operator("POST", preview, preview, donors);
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.json().path("donors").asInt()).isEqualTo(2);
        Map<String, String> csv = Map.of("Content-Type", "text/csv", "Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD));
        assertThat(call("POST", preview, preview, "referenceId,name\napi-csv,CSV Donor\n", csv).json().path("donors").asInt()).isEqualTo(1);
        assertThat(call("POST", preview, preview, "referenceId,name\n", csv).status()).isEqualTo(400);
        assertThat(operator("POST", preview, preview, "[" + String.join(",", Collections.nCopies(10_001, "{}")) + "]").status()).isEqualTo(413);
        assertThat(call("POST", preview, preview, "referenceId=x", Map.of("Content-Type", "text/plain",
                "Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD))).status()).isEqualTo(415);
        assertThat(call("POST", preview, preview, donors, Map.of()).status()).isEqualTo(401);
        // the Query refused, so 1,300 Finds at least: more than the bundle's share of an hour's budget (1,250)
        FIXTURE.sandbox().answerNext("POST", "/api/Contact/Query", 400, "{\"message\":\"The request is invalid.\"}");
        String many = "[" + String.join(",", java.util.stream.IntStream.range(0, 1300)
                .mapToObj(i -> "{\"referenceId\":\"api-many-" + i + "\",\"name\":\"Many " + i + "\"}").toList()) + "]";
        Answer tooCostly = operator("POST", preview, preview, many);
        assertThat(tooCostly.status()).isEqualTo(503);
        assertThat(tooCostly.json().path("message").asText()).contains("at least 1300 requests");
        FIXTURE.sandbox().answerNext("POST", "/api/Contact/Query", 400, "{\"message\":\"The request is invalid.\"}");
        FIXTURE.sandbox().answerNext("GET", "/api/Contact/Find", 400, "{\"message\":\"The request is invalid.\"}");
        assertThat(operator("POST", preview, preview, "{\"referenceId\": \"api-unasked\", \"name\": \"Never Asked\"}").status()).isEqualTo(502);

        String id = report.json().path("id").asText();
        String view = "/sync/preview/{id}";
        assertThat(operator("GET", view, "/sync/preview/" + id, null).json()).isEqualTo(report.json());
        assertThat(operator("GET", view, "/sync/preview/unknown", null).status()).isEqualTo(404);
        assertThat(call("GET", view, "/sync/preview/" + id, null, Map.of()).status()).isEqualTo(401);
        String download = "/sync/preview/{id}/report.csv";
        assertThat(operator("GET", download, "/sync/preview/" + id + "/report.csv", null).body()).startsWith("origin,referenceSource");
        assertThat(operator("GET", download, "/sync/preview/unknown/report.csv", null).status()).isEqualTo(404);
        assertThat(call("GET", download, "/sync/preview/" + id + "/report.csv", null, Map.of()).status()).isEqualTo(401);
    }

    /** A replay previewed, then applied with its token, once. */
    @Test
    @Order(11)
    void theReplayWithAPreview() throws Exception {
        FIXTURE.sandbox().answerNext("GET", "/api/Contact/Find", 400, "{\"message\": \"refused for api-replay\"}");
        assertThat(intake("{\"referenceId\": \"api-replay\", \"firstName\": \"Re\", \"lastName\": \"Play\"}").status()).isEqualTo(202);
        bundle().awaitState(SOURCE, "api-replay", SyncState.FAILED);
        String previews = "/sync/replays";
        String selection = "{\"ids\": [" + letterOf("api-replay") + "]}";
        requestConforms("post", previews, selection);
        assertThat(call("POST", previews, previews, selection, Map.of()).status()).isEqualTo(401);
        assertThat(operator("POST", previews, previews, "{}").status()).isEqualTo(400);
        assertThat(operator("POST", previews, previews, "{\"ids\": [999999]}").status()).isEqualTo(404);
        Answer preview = operator("POST", previews, previews, selection);
        assertThat(preview.status()).isEqualTo(200);
        assertThat(preview.json().path("letters").get(0).path("action").asText()).isEqualTo("new");

        String apply = "/sync/replays/{token}";
        String token = "/sync/replays/" + preview.json().path("token").asText();
        assertThat(call("POST", apply, token, null, Map.of()).status()).isEqualTo(401);
        assertThat(operator("POST", apply, "/sync/replays/no-such-token", null).status()).isEqualTo(404);
        assertThat(operator("POST", apply, token, null).status()).isEqualTo(202);
        assertThat(operator("POST", apply, token, null).status()).as("applied already").isEqualTo(409);
        assertThat(operator("POST", previews, previews, selection).status()).as("the letter is closed").isEqualTo(409);
    }

    @Test
    @Order(100)
    void everyDocumentedAnswerWasReached() {
        Set<String> documented = new TreeSet<>();
        API.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation ->
                operation.getValue().path("responses").fieldNames().forEachRemaining(status ->
                        documented.add(operation.getKey() + " " + path.getKey() + " " + status))));
        documented.removeAll(NOT_DRIVEN);
        assertThat(REACHED).as("run the whole class: each test drives some of the answers").containsAll(documented);
    }

    /**
     * Asserts the answer is one the document lists for the operation, and that its body is what that answer describes:
     * JSON valid against its schema, or the documented media type; returns the JSON body (or a missing node).
     */
    private static JsonNode conforms(String method, String path, HttpResponse<String> answer) throws IOException {
        String status = String.valueOf(answer.statusCode());
        JsonNode response = resolve(API.path("paths").path(path).path(method).path("responses").path(status));
        assertThat(response.isMissingNode()).as("%s %s answered %s, which the document does not list: %s", method, path, status, answer.body())
                .isFalse();
        REACHED.add(method + " " + path + " " + status);
        JsonNode content = response.path("content");
        if (content.isMissingNode()) {
            assertThat(answer.body()).as("%s %s %s has no body", method, path, status).isEmpty();
            return MissingNode.getInstance();
        }
        String mediaType = content.fieldNames().next();
        assertThat(answer.headers().firstValue("Content-Type").orElse("")).as("%s %s %s", method, path, status).startsWith(mediaType);
        response.path("headers").fields().forEachRemaining(header -> assertThat(answer.headers().firstValue(header.getKey()))
                .as("%s %s %s header %s", method, path, status, header.getKey()).hasValue(header.getValue().path("schema").path("const").asText()));
        if (!mediaType.equals("application/json")) {
            return MissingNode.getInstance();
        }
        JsonNode body = JSON.readTree(answer.body());
        String pointer = pointer(path, method, status, mediaType);
        List<Error> errors = SCHEMAS.getSchema(SchemaLocation.of("classpath:" + DOCUMENT + "#" + pointer)).validate(body);
        assertThat(errors).as("%s %s %s: %s", method, path, status, answer.body()).isEmpty();
        return body;
    }

    /** The request body the test sends is one the document describes. */
    private static void requestConforms(String method, String path, String body) throws IOException {
        String pointer = "/paths/" + escape(path) + "/" + method + "/requestBody/content/application~1json/schema";
        Schema schema = SCHEMAS.getSchema(SchemaLocation.of("classpath:" + DOCUMENT + "#" + pointer));
        assertThat(schema.validate(JSON.readTree(body))).as("%s %s request %s", method, path, body).isEmpty();
    }

    /** Where the answer's schema is: under the operation, or under the components' response it refers to. */
    private static String pointer(String path, String method, String status, String mediaType) {
        JsonNode listed = API.path("paths").path(path).path(method).path("responses").path(status);
        String base = listed.has("$ref") ? listed.get("$ref").asText().substring(1)
                : "/paths/" + escape(path) + "/" + method + "/responses/" + status;
        return base + "/content/" + escape(mediaType) + "/schema";
    }

    private static JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? API.at(node.get("$ref").asText().substring(1)) : node;
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static Answer intake(String body) throws IOException, InterruptedException {
        return call("POST", "/donors", "/donors", body, Map.of());
    }

    private static Answer operator(String method, String template, String path, String body) throws IOException, InterruptedException {
        return call(method, template, path, body, Map.of("Authorization", SyncBundle.basic(SyncBundle.OPERATOR, SyncBundle.OPERATOR_PASSWORD)));
    }

    private static Answer deliver(String body, String signature) throws IOException, InterruptedException {
        return call("POST", WEBHOOK, WEBHOOK, body, signature == null ? Map.of() : Map.of("X-Virtuous-Signature", signature));
    }

    /** Sends the request to {@code path}, an instance of the document's {@code template}, and checks the answer against the document. */
    private static Answer call(String method, String template, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(bundle().uri(path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(answer.statusCode(), answer.body(), conforms(method.toLowerCase(Locale.ROOT), template, answer));
    }

    private static long letterOf(String referenceId) throws Exception {
        return await().atMost(Duration.ofSeconds(10)).until(() -> bundle().deadLetters().stream()
                .filter(letter -> referenceId.equals(letter.referenceId()) && letter.outcome() == null).map(DeadLetter::id).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    /** An answer, its JSON body (a missing node when it has none). */
    private record Answer(int status, String body, JsonNode json) {
    }

    private static SyncBundle bundle() {
        return FIXTURE.bundle();
    }

    private static JsonNode read() {
        try (InputStream in = OpenApiTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(DOCUMENT + " is on the classpath", e);
        }
    }
}
