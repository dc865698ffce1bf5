package org.contactsync;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RestartAndHeadersTest {

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().startedByTest();

    @Test
    void theLedgerSurvivesARestartOfTheCamelContext() throws Exception {
        String donor = """
                {"referenceId": "restart-1", "firstName": "Ida", "lastName": "Noddack"}""";
        fixture.start(Map.of());
        bundle().post("/donors", donor);
        bundle().awaitState("PartnerPlatform", "restart-1", SyncState.PENDING);
        // the first bundle stops before the requests are forgotten: nothing it sends as it stops counts as the second's
        fixture.stopBundle();
        sandbox().clearRequests();

        fixture.start(Map.of());
        LedgerEntry entry = bundle().entry("PartnerPlatform", "restart-1");
        SyncBundle.Response again = bundle().post("/donors", donor);

        assertThat(entry.state()).isEqualTo(SyncState.PENDING);
        assertThat(again.json().get("accepted")).asList()
                .containsExactly(Map.of("referenceSource", "PartnerPlatform", "referenceId", "restart-1", "admission", "UNCHANGED"));
        assertThat(sandbox().requests()).isEmpty();
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
        try {
            // a Virtuous of the test's own, which sees every header it is sent: these settings win over the sandbox's URL and key
            fixture.start(Map.of("virtuous.api.base-url", baseUrl, "virtuous.api.key", "test-key-123"));
            bundle().post("/donors", """
                    {"referenceId": "headers-1", "firstName": "Kathleen", "lastName": "Lonsdale", "email": "k@example.org"}""",
                    Map.of("X-Platform-Secret", "do-not-forward", "Cookie", "session=abc"));

            bundle().awaitState("PartnerPlatform", "headers-1", SyncState.PENDING);
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

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }
}
