package org.contactsync.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;

/** A tiny webhook endpoint that keeps what it receives and answers with a chosen status. */
final class WebhookReceiver implements AutoCloseable {

    record Received(Headers headers, byte[] body) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new Received(exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(status, -1);
            }
        });
        server.start();
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/virtuous/webhook";
    }

    void answerWith(int status) {
        this.status = status;
    }

    List<Received> received() {
        return received;
    }

    Map<String, Object> subscription(String secret) {
        return Map.of("payloadUrl", url(), "secret", secret, "contactCreate", true, "contactUpdate", true, "active", true);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
