package org.contactsync.intake;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seeded random hostile input against one running bundle: malformed, oversized and mistyped POST /donors bodies, CSV
 * and JSON files in several encodings with good rows among bad ones, and webhook deliveries. Nothing answers 5xx;
 * every 4xx names its problem; a delivery refused as a whole stores nothing, and an accepted one leaves one dead
 * letter per rejected donor; every valid donor ends in the ledger; no file stays in the inbox.
 */
class IntakeFuzzTest {

    private static final long SEED = 18;
    private static final int MAX_ITEMS = 40;
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture().with(Map.of("sync.intake.max-items", String.valueOf(MAX_ITEMS),
            "sync.intake.max-bytes", String.valueOf(MAX_BYTES), "sync.intake.max-field-length", "200"));

    private final Random random = new Random(SEED);
    private final List<String> validIds = new ArrayList<>();
    private int expectedLetters;
    private int next;

    @Test
    void hostileInputGetsA4xxNamingItsProblemAndLosesNoValidDonor() throws Exception {
        long letters = intakeLetters();
        Path inbox = Files.createDirectories(FIXTURE.bundle().directory().resolve("inbox"));
        Path staging = Files.createDirectories(FIXTURE.directory().resolve("staging"));
        List<String> failures = new ArrayList<>();

        for (int i = 0; i < 40; i++) {
            dropFile(staging, inbox, i);
        }
        for (int i = 0; i < 130; i++) {
            postDonors(i, failures);
        }
        for (int i = 0; i < 30; i++) {
            deliverWebhook(i, failures);
        }

        assertThat(failures).isEmpty();
        await().atMost(Duration.ofSeconds(60)).until(() -> filesIn(inbox).isEmpty());
        for (String id : validIds) {
            assertThat(FIXTURE.bundle().entry("PartnerPlatform", id)).as("valid donor %s", id).isNotNull();
        }
        assertThat(intakeLetters()).isEqualTo(letters + expectedLetters);
    }

    /** Letters of donors rejected at intake: a valid donor may yet be refused by Virtuous later, which is another letter. */
    private static long intakeLetters() throws Exception {
        return FIXTURE.bundle().deadLetters().stream().filter(letter -> letter.stage().equals("intake")).count();
    }

    private void postDonors(int caseNumber, List<String> failures) throws Exception {
        String contentType = random.nextInt(12) == 0 ? pick("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=klingon") : "application/json";
        List<String> ids = new ArrayList<>();
        int[] rejected = {0};
        byte[] body = switch (random.nextInt(10)) {
            case 0 -> randomBytes(random.nextInt(200));
            case 1 -> pick("null", "", "[]", "{}", "true", "12", "\"donor\"", "[null]", "{\"a\":1}{", "[[[[[[[", "{\"referenceId\":")
                    .getBytes(StandardCharsets.UTF_8);
            case 2 -> truncate(donorArray(ids, rejected, 1 + random.nextInt(5)));
            case 3 -> ("[" + "{\"referenceId\":\"x\"},".repeat(MAX_ITEMS) + "{}]").getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"referenceId\":\"big\",\"name\":\"" + "n".repeat(MAX_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
            case 5 -> "[".repeat(5000).getBytes(StandardCharsets.UTF_8);
            case 6 -> donorArray(ids, rejected, 1).replace("\"name\"", "\"n\u00e4me\"").getBytes(StandardCharsets.ISO_8859_1);
            default -> donorArray(ids, rejected, 1 + random.nextInt(8)).getBytes(StandardCharsets.UTF_8);
        };
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(FIXTURE.bundle().uri("/donors")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        String seen = "POST /donors case " + caseNumber + " (" + contentType + ", " + preview(body) + ") answered " + response.statusCode()
                + " " + preview(response.body().getBytes(StandardCharsets.UTF_8));
        if (response.statusCode() >= 500 || response.statusCode() < 200) {
            failures.add(seen);
            return;
        }
        if (response.statusCode() == 400 && contentType.contains("form") && response.body().equals("Bad Request")) {
            // a form body the HTTP server (Vert.x) cannot decode is refused by the server, before the bundle sees it
            return;
        }
        Map<String, Object> answer;
        try {
            answer = JSON.readValue(response.body(), new TypeReference<>() { });
        } catch (java.io.IOException notJson) {
            failures.add(seen);
            return;
        }
        if (answer.containsKey("message")) {
            // refused as a whole: nothing of it is stored, none of its donors counts as sent
            if (response.statusCode() < 400 || answer.get("message").toString().isBlank()) {
                failures.add(seen);
            }
            return;
        }
        List<?> reportedRejects = (List<?>) answer.get("rejected");
        if (response.statusCode() == 400 && !((List<?>) answer.get("accepted")).isEmpty()
                || reportedRejects.stream().anyMatch(item -> ((List<?>) ((Map<?, ?>) item).get("problems")).isEmpty())) {
            failures.add(seen);
        }
        expectedLetters += reportedRejects.size();
        if (contentType.equals("application/json") && body.length <= MAX_BYTES) {
            validIds.addAll(ids);
        }
    }

    /** An array of donors, some valid (their ids in validIds), some rejected for one reason each (counted). */
    private String donorArray(List<String> validIds, int[] rejected, int size) throws Exception {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = "fz-" + next++;
            int kind = random.nextInt(9);
            items.add(switch (kind) {
                case 0 -> Map.of("firstName", "No", "lastName", "Reference");
                case 1 -> Map.of("referenceId", id, "name", List.of("not", "text"));
                case 2 -> Map.of("referenceId", id, "name", "Bad Email", "email", "@" + "x".repeat(random.nextInt(500)));
                case 3 -> Map.of("referenceId", id, "name", "n".repeat(201 + random.nextInt(2000)));
                case 4 -> Map.of("referenceId", "r".repeat(201), "name", "Long Id");
                case 5 -> random.nextBoolean() ? 42 : "text";
                case 6 -> Map.of("referenceId", id, "name", "Bad Birth", "birthMonth", random.nextInt(1000) + 13, "rsvp", "maybe");
                default -> Map.of("referenceId", id, "firstName", "Fuzz " + (char) ('A' + random.nextInt(26)) + "\u00e9\u4e2d", "lastName", "Donor",
                        "email", id + "@example.org", "tags", List.of("a", "b"), "customFields", Map.of("Note", "\u00fc\u00df"));
            });
            if (kind >= 7) {
                validIds.add(id);
            } else {
                rejected[0]++;
            }
        }
        return JSON.writeValueAsString(size == 1 && random.nextBoolean() ? items.get(0) : items);
    }

    private void dropFile(Path staging, Path inbox, int number) throws Exception {
        boolean csv = random.nextInt(4) != 0;
        String name = "fuzz-" + number + (csv ? ".csv" : ".json");
        Charset charset = pick(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, Charset.forName("windows-1252"), StandardCharsets.UTF_8);
        boolean bom = charset == StandardCharsets.UTF_8 && random.nextBoolean();
        byte[] content;
        int kind = random.nextInt(10);
        if (kind == 0) {
            // refused as a whole: empty, blank, binary (a NUL byte), a header and no rows
            byte[] binary = randomBytes(100);
            binary[random.nextInt(binary.length)] = 0;
            content = pick(new byte[0], "  \n".getBytes(StandardCharsets.UTF_8), binary, "referenceId,name\n".getBytes(StandardCharsets.UTF_8));
        } else if (!csv) {
            List<String> ids = new ArrayList<>();
            int[] rejected = {0};
            String json = donorArray(ids, rejected, 1 + random.nextInt(6));
            if (kind == 1) {
                content = truncate(json);
            } else {
                validIds.addAll(ids);
                expectedLetters += rejected[0];
                content = json.getBytes(StandardCharsets.UTF_8);
            }
        } else {
            StringBuilder text = new StringBuilder("referenceId,firstName,lastName,email\n");
            int rows = 1 + random.nextInt(8);
            for (int row = 0; row < rows; row++) {
                String id = "fz-" + next++;
                switch (random.nextInt(6)) {
                    case 0 -> text.append(id).append(",Too,Many,columns@example.org,extra\n");
                    case 1 -> text.append(id).append(",Bad,Email,not-an-email\n");
                    case 2 -> text.append(",No,Reference,\n");
                    default -> {
                        text.append(id).append(",Jos\u00e9,M\u00fcller,").append(id).append("@example.org\n");
                        validIds.add(id);
                        expectedLetters--;
                    }
                }
                expectedLetters++;
                if (random.nextInt(4) == 0) {
                    text.append("\n");
                }
            }
            if (random.nextInt(5) == 0) {
                // an unclosed quote: the rest of the file is one unreadable item
                text.append("fz-").append(next++).append(",\"Broken,Quote,x@example.org\n");
                expectedLetters++;
            }
            byte[] encoded = text.toString().getBytes(charset);
            content = bom ? concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, encoded) : encoded;
        }
        Path staged = Files.write(staging.resolve(name), content);
        // already a while unchanged, so the read lock takes it at once
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minusSeconds(60)));
        Files.move(staged, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private void deliverWebhook(int caseNumber, List<String> failures) throws Exception {
        String body = switch (random.nextInt(6)) {
            case 0 -> new String(randomBytes(random.nextInt(100)), StandardCharsets.ISO_8859_1);
            case 1 -> pick("", "null", "[]", "{}", "{\"event\":\"ContactCreate\"}", "{\"event\":7,\"contact\":[]}");
            case 2 -> "{\"event\":\"ContactCreate\",\"contact\":{\"id\":\"" + pick("x", "1e400", "-1", "99999999999999999999") + "\"}}";
            case 3 -> "{\"event\":\"ContactUpdate\",\"contact\":{\"id\":" + random.nextInt(1000) + ",\"contactReferences\":[{\"source\":\""
                    + "s".repeat(random.nextInt(300)) + "\",\"id\":\"" + "i".repeat(random.nextInt(300)) + "\"}]}}";
            case 4 -> "{\"eventType\":\"contact.created\",\"data\":{\"id\":5,\"mergedIntoContactId\":\"" + pick("abc", "", "12") + "\"}}";
            default -> "{\"event\":\"ContactCreate\",\"contact\":{\"id\":" + random.nextInt(1000) + ",\"contactReferences\":" + pick("7", "null",
                    "[1,2]", "[{\"source\":null}]", "[{\"source\":\"PartnerPlatform\",\"id\":\"fz-1\"}]") + "}}";
        };
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(FIXTURE.bundle().uri("/webhooks/virtuous"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 500 || response.statusCode() >= 400 && response.body().isBlank()) {
            failures.add("webhook case " + caseNumber + " (" + preview(body.getBytes(StandardCharsets.UTF_8)) + ") answered " + response.statusCode()
                    + " " + response.body());
        }
    }

    private static List<Path> filesIn(Path inbox) throws Exception {
        try (Stream<Path> files = Files.list(inbox)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private byte[] truncate(String json) {
        return json.substring(0, random.nextInt(Math.max(1, json.length() - 1))).getBytes(StandardCharsets.UTF_8);
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.UTF_8).replace('\n', ' ');
        return bytes.length > 120 ? text + "... (" + bytes.length + " bytes)" : text;
    }
}
