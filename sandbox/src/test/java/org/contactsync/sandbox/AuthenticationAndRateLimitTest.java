package org.contactsync.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthenticationAndRateLimitTest {

    private static final Instant NOW = Instant.parse("2026-11-21T14:20:56.353Z");
    private static final long WINDOW_END = Instant.parse("2026-11-21T15:00:00Z").getEpochSecond();

    private final MutableClock clock = new MutableClock(NOW);
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.setApiKey("test-key");
        sandbox.setRateLimitPerHour(3);
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void missingKeyIsRefusedWithTheAspNetMessage() {
        HttpResponse<String> response = http.send(http.request("/api/Contact/Types").GET());

        assertEquals(401, response.statusCode());
        assertEquals(Map.of("message", "Authorization has been denied for this request."), SandboxHttp.object(response));
        assertRateHeaders(response, 3);
    }

    @Test
    void wrongKeyIsRefusedInTheTargetShape() {
        sandbox.setErrorStyle("target");

        HttpResponse<String> response = http.send(http.request("/api/Contact/Types").header("Authorization", "Bearer nope").GET());

        assertEquals(401, response.statusCode());
        Map<?, ?> error = (Map<?, ?>) SandboxHttp.object(response).get("error");
        assertEquals("UNAUTHENTICATED", error.get("code"));
        assertEquals("Authorization has been denied for this request.", error.get("message"));
    }

    @Test
    void everyAnswerCarriesTheRateHeaders() {
        HttpResponse<String> found = http.get("/api/Contact/Types");
        HttpResponse<String> missing = http.get("/api/Contact/424242");

        assertEquals(200, found.statusCode());
        assertRateHeaders(found, 2);
        assertEquals(404, missing.statusCode());
        assertRateHeaders(missing, 1);
    }

    @Test
    void refusedCallersSpendNoBudget() {
        http.send(http.request("/api/Contact/Types").GET());

        assertRateHeaders(http.get("/api/Contact/Types"), 2);
    }

    @Test
    void spentBudgetIsRefusedWithRetryAfterUntilTheWindowEnds() {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, http.get("/api/Contact/Types").statusCode());
        }

        HttpResponse<String> refused = http.get("/api/Contact/Types");

        assertEquals(429, refused.statusCode());
        assertEquals("2344", refused.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(Map.of("message", "Rate limit exceeded. Retry after 2344 seconds."), SandboxHttp.object(refused));
        assertRateHeaders(refused, 0);
    }

    @Test
    void rateLimitedInTheTargetShapeAndRefusalsDoNotSpendTheNextWindow() {
        sandbox.setErrorStyle("target");
        for (int i = 0; i < 3; i++) {
            http.get("/api/Contact/Types");
        }
        HttpResponse<String> refused = http.get("/api/Contact/Types");
        assertEquals(Map.of("error", Map.of("code", "RATE_LIMITED", "message", "Rate limit exceeded. Retry after 2344 seconds.",
                "details", List.of())), SandboxHttp.object(refused));

        clock.advance(Duration.ofSeconds(2344));
        HttpResponse<String> nextWindow = http.get("/api/Contact/Types");

        assertEquals(200, nextWindow.statusCode());
        assertEquals("2", nextWindow.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals(Long.toString(WINDOW_END + 3600), nextWindow.headers().firstValue("X-RateLimit-Reset").orElseThrow());
    }

    @Test
    void blankKeyIsReplacedByAGeneratedOne() {
        VirtuousSandbox generated = new VirtuousSandbox();
        generated.setApiKey(" ");
        generated.start();
        try {
            assertTrue(generated.getApiKey().length() > 20);
            assertNotEquals(0, generated.getPort());
            assertEquals(200, new SandboxHttp(generated).get("/api/Contact/Types").statusCode());
        } finally {
            generated.stop();
            generated.stop();
        }
    }

    @Test
    void changedKeyRefusesTheOldOneFromTheNextRequestOn() {
        sandbox.setApiKey("rotated-key");

        HttpResponse<String> old = http.send(http.request("/api/Contact/Types").header("Authorization", "Bearer test-key").GET());
        assertEquals(401, old.statusCode());
        assertEquals(200, http.get("/api/Contact/Types").statusCode());
    }

    @Test
    void budgetCanBeChangedAndRestoredWhileRunning() {
        for (int i = 0; i < 3; i++) {
            http.get("/api/Contact/Types");
        }
        assertEquals(429, http.get("/api/Contact/Types").statusCode());

        sandbox.setRateLimitPerHour(5);
        HttpResponse<String> raised = http.get("/api/Contact/Types");
        assertEquals(200, raised.statusCode());
        assertEquals("5", raised.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertEquals("1", raised.headers().firstValue("X-RateLimit-Remaining").orElseThrow());

        sandbox.resetRateLimit();
        assertEquals("4", http.get("/api/Contact/Types").headers().firstValue("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void otherIntegrationsSpendTheSharedBudget() {
        sandbox.consumeRateBudget(2);

        assertRateHeaders(http.get("/api/Contact/Types"), 0);
        HttpResponse<String> refused = http.get("/api/Contact/Types");
        assertEquals(429, refused.statusCode());
        assertEquals("2344", refused.headers().firstValue("Retry-After").orElseThrow());
    }

    private static void assertRateHeaders(HttpResponse<String> response, int remaining) {
        assertEquals("3", response.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertEquals(Integer.toString(remaining), response.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals(Long.toString(WINDOW_END), response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
    }
}
