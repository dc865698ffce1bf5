package org.contactsync.intake;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.contactsync.ledger.SyncState;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The hostile deliveries a user reported, on the production limits: each POST /donors gets a 4xx naming its problem
 * (never a 500 with an empty body), a request refused as a whole stores nothing, and files with a byte-order mark or in
 * Latin-1 keep their rows while an empty one leaves the inbox for .failed/ with its reason.
 */
class HostileIntakeTest {

    private static final String SOURCE = "PartnerPlatform";

    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture();

    @Test
    void aBodyThatIsNoDonorsIsRefusedWith400AndStoresNothing() throws Exception {
        int letters = FIXTURE.bundle().deadLetters().size();

        for (String body : List.of("null", "", "[]", "42", "{\"referenceId\":\"a\",\"name\":\"A\"}{")) {
            SyncBundle.Response response = FIXTURE.bundle().post("/donors", body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.json().get("message").toString()).as(body).matches("(no donors|expected a JSON object|malformed JSON).*");
        }
        assertThat(FIXTURE.bundle().deadLetters()).hasSize(letters);
    }

    @Test
    void fiftyThousandItemsAre413AndLeaveNoDeadLetter() throws Exception {
        int letters = FIXTURE.bundle().deadLetters().size();

        SyncBundle.Response response = FIXTURE.bundle().post("/donors", "[" + "{\"junk\":1},".repeat(49_999) + "{\"junk\":1}]");

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().get("message").toString()).startsWith("50000 donors in one request, more than sync.intake.max-items (10000)");
        assertThat(FIXTURE.bundle().deadLetters()).hasSize(letters);
    }

    @Test
    void aBodyPastMaxBytesIs413AndAWrongContentTypeIs415() throws Exception {
        SyncBundle.Response large = FIXTURE.bundle().post("/donors", "{\"referenceId\":\"big\",\"name\":\"" + "x".repeat(6 * 1024 * 1024) + "\"}");
        HttpResponse<String> text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(FIXTURE.bundle().uri("/donors"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"referenceId\":\"t-1\",\"name\":\"T\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(large.status()).isEqualTo(413);
        assertThat(large.json().get("message").toString()).contains("more than sync.intake.max-bytes (5242880)");
        assertThat(text.statusCode()).isEqualTo(415);
        assertThat(text.body()).isEqualTo("{\"message\":\"expected Content-Type application/json, found 'text/plain'\"}");
        assertThat(FIXTURE.bundle().entry(SOURCE, "t-1")).isNull();
    }

    @Test
    void aFiveMegabyteNameOrAnOverlongReferenceIdRejectsItsDonorWithTheReason() throws Exception {
        SyncBundle.Response response = FIXTURE.bundle().post("/donors", "[{\"referenceId\":\"long-name\",\"name\":\"" + "x".repeat(5_000_000)
                + "\"}, {\"referenceId\":\"" + "r".repeat(300) + "\",\"name\":\"Long Id\"}, {\"referenceId\":\"fine-1\",\"name\":\"Fine\"}]");

        assertThat(response.status()).isEqualTo(202);
        assertThat(response.body()).contains("name: 5000000 characters, longer than the 1000 allowed")
                .contains("referenceId: 300 characters, longer than the 200 allowed");
        assertThat(FIXTURE.bundle().deadLetters()).anySatisfy(letter -> {
            assertThat(letter.referenceId()).isEqualTo("long-name");
            assertThat(letter.originalInput()).hasSizeLessThanOrEqualTo(100_000).contains("... (cut: ").endsWith(" characters in all)");
        });
        FIXTURE.bundle().awaitState(SOURCE, "fine-1", SyncState.PENDING);
    }

    @Test
    void filesWithAByteOrderMarkOrInLatin1KeepTheirRowsAndAnEmptyOneGoesToFailedWithItsReason() throws Exception {
        Path inbox = Files.createDirectories(FIXTURE.bundle().directory().resolve("inbox"));

        Files.write(inbox.resolve("bom.csv"), "\uFEFFreferenceId,firstName,lastName\nbom-1,Zoë,Brontë\n".getBytes(StandardCharsets.UTF_8));
        Files.write(inbox.resolve("latin.csv"), "referenceId,firstName,lastName\nlatin-1,José,Muñoz\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(inbox.resolve("empty.csv"), new byte[0]);

        FIXTURE.bundle().awaitState(SOURCE, "bom-1", SyncState.PENDING);
        assertThat(FIXTURE.bundle().entry(SOURCE, "bom-1").donor()).containsEntry("firstName", "Zoë");
        assertThat(FIXTURE.bundle().awaitState(SOURCE, "latin-1", SyncState.PENDING).donor()).containsEntry("lastName", "Muñoz");
        await().atMost(Duration.ofSeconds(20)).until(() -> inInbox(inbox).isEmpty());
        try (Stream<Path> failed = Files.list(inbox.resolve(".failed"))) {
            List<Path> files = failed.sorted().toList();
            assertThat(files).hasSize(2);
            assertThat(files.get(0).getFileName().toString()).endsWith("-empty.csv");
            assertThat(files.get(1)).hasFileName(files.get(0).getFileName() + ".reason").content().isEqualToIgnoringNewLines("empty file");
        }
    }

    private static List<String> inInbox(Path inbox) throws Exception {
        try (Stream<Path> files = Files.list(inbox)) {
            return files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).toList();
        }
    }
}
