package org.contactsync;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RestartAndHeadersTest {

    @TempDir
    Path directory;

    @Test
    void theLedgerSurvivesARestartOfTheCamelContext() throws Exception {
        VirtuousSandbox sandbox = new VirtuousSandbox();
        sandbox.setPort(0);
        sandbox.start();
        try {
            String donor = """
                    {"referenceId": "restart-1", "firstName": "Ida", "lastName": "Noddack"}""";
            try (SyncBundle first = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), Map.of())) {
                first.post("/donors", donor);
                first.awaitState("PartnerPlatform", "restart-1", SyncState.PENDING);
            }
            sandbox.clearRequests();

            try (SyncBundle second = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), Map.of())) {
                LedgerEntry entry = second.entry("PartnerPlatform", "restart-1");
                SyncBundle.Response again = second.post("/donors", donor);

                assertThat(entry.state()).isEqualTo(SyncState.PENDING);
                assertThat(again.json().get("accepted")).asList()
                        .containsExactly(Map.of("referenceSource", "PartnerPlatform", "referenceId", "restart-1", "admission", "UNCHANGED"));
                assertThat(sandbox.requests()).isEmpty();
            }
        } finally {
            sandbox.stop();
        }
    }

    @Test
    void noInboundHeaderReachesVirtuousAndTheKeyGoesAsBearer() throws Exception {
        List<Headers> received = new CopyOnWriteArrayList<>();
        HttpServer virtuous = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        virtuous.createContext("/api/", exchange -> {
            received.add(exchange.getRequestHeaders());
            boolean find = exchange.getRequestURI().getPath().endsWith("/Find");
            exchange.sendResponseHeaders(find ? 404 : 200, -1);
            exchange.close();
        });
        virtuous.start();
        String baseUrl = "http://localhost:" + virtuous.getAddress().getPort();
        try (SyncBundle bundle = SyncBundle.start(directory, baseUrl, "test-key-123", Map.of())) {
            bundle.post("/donors", """
                    {"referenceId": "headers-1", "firstName": "Kathleen", "lastName": "Lonsdale", "email": "k@example.org"}""",
                    Map.of("X-Platform-Secret", "do-not-forward", "Cookie", "session=abc"));

            bundle.awaitState("PartnerPlatform", "headers-1", SyncState.PENDING);
            await().until(() -> received.size() == 3);
            assertThat(received).allSatisfy(headers -> {
                assertThat(headers.getFirst("Authorization")).isEqualTo("Bearer test-key-123");
                assertThat(headers.containsKey("X-platform-secret")).isFalse();
                assertThat(headers.containsKey("Cookie")).isFalse();
                assertThat(headers.keySet()).noneMatch(name -> name.toLowerCase().startsWith("camel"));
            });
        } finally {
            virtuous.stop(0);
        }
    }
}
