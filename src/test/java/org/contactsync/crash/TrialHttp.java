package org.contactsync.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Plain HTTP/1.1 with JSON, for the processes a trial talks to. Every request has a timeout: a trial never hangs. */
final class TrialHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private TrialHttp() {
    }

    record Response(int status, String body) {

        Map<String, Object> object() {
            return read(body, new TypeReference<>() { });
        }

        List<Map<String, Object>> array() {
            return read(body, new TypeReference<>() { });
        }
    }

    static Response send(HttpRequest.Builder request, Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> response = CLIENT.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url));
    }

    static HttpRequest.Builder postJson(String url, Object body) {
        return request(url).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(body)));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <T> T read(String body, TypeReference<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException("not the JSON expected: " + (body.length() > 300 ? body.substring(0, 300) + "..." : body), e);
        }
    }
}
