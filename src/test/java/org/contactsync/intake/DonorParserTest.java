package org.contactsync.intake;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DonorParserTest {

    private final DonorParser parser = new DonorParser(TextDecoding.of("sync.inbox.charset", "auto"));

    @Test
    void readsOneJsonDonorOrAnArray() {
        assertThat(parser.parseJson("{\"referenceId\":\"a\"}", "x", 10)).singleElement()
                .satisfies(d -> assertThat(d.fields()).containsEntry("referenceId", "a"));
        List<DonorInput> donors = parser.parseJson("[{\"referenceId\":\"a\"}, 7, {\"referenceId\":\"b\"}]", "x", 10);
        assertThat(donors).hasSize(3);
        assertThat(donors.get(1).parseError()).isEqualTo("expected a JSON object, found number");
        assertThat(donors.get(1).origin()).isEqualTo("x item 2");
        assertThat(donors.get(2).fields()).containsEntry("referenceId", "b");
    }

    @Test
    void aBodyThatIsNoDonorsIsRefusedAsAWhole() {
        assertRefused(() -> parser.parseJson("[{\"a\":", "x", 10), 400, "malformed JSON");
        assertRefused(() -> parser.parseJson("{\"a\":1}{", "x", 10), 400, "malformed JSON");
        assertRefused(() -> parser.parseJson("\"just text\"", "x", 10), 400, "expected a JSON object (one donor) or an array of donors, found string");
        assertRefused(() -> parser.parseJson("null", "x", 10), 400, "expected a JSON object (one donor) or an array of donors, found null");
        assertRefused(() -> parser.parseJson("  ", "x", 10), 400, "no donors: the body is empty");
        assertRefused(() -> parser.parseJson("[]", "x", 10), 400, "no donors: the array is empty");
        assertRefused(() -> parser.parseJson("[{},{},{}]", "x", 2), 413, "3 donors in one request, more than sync.intake.max-items (2)");
    }

    @Test
    void theFrontDoorTakesMapsListsDonorInputsAndJsonText() {
        DonorInput made = DonorInput.parsed(Map.of("referenceId", "d"), null, "java");

        assertThat(parser.delivery(Map.of("referenceId", "a"), "jms")).singleElement()
                .satisfies(d -> assertThat(d.rawText()).isEqualTo("{\"referenceId\":\"a\"}"));
        List<DonorInput> donors = parser.delivery(List.of(Map.of("referenceId", "b"), 7, made), "jms");
        assertThat(donors).extracting(DonorInput::origin).containsExactly("jms item 1", "jms item 2", "java");
        assertThat(donors.get(1).parseError()).isEqualTo("expected a donor (a Map or a DonorInput), found Integer");
        assertThat(donors.get(2).rawText()).isEqualTo("{\"referenceId\":\"d\"}");
        assertThat(parser.delivery("[{\"referenceId\":\"c\"}]", "kafka")).singleElement().satisfies(d -> assertThat(d.origin()).isEqualTo("kafka item 1"));
        assertRefused(() -> parser.delivery(List.of(), "jms"), 400, "no donors: the list is empty");
        assertRefused(() -> parser.delivery(null, "jms"), 400, "no donors: the body is empty");
    }

    @Test
    void aFileInUtf8WithOrWithoutBomOrInWindows1252KeepsItsRows() {
        String csv = "referenceId,name\nj-1,José Ñúñez\n";
        byte[] bom = ("\uFEFF" + csv).getBytes(StandardCharsets.UTF_8);

        for (byte[] file : List.of(csv.getBytes(StandardCharsets.UTF_8), bom, csv.getBytes(StandardCharsets.ISO_8859_1),
                ("\uFEFF" + csv).getBytes(StandardCharsets.UTF_16LE))) {
            assertThat(parser.parseFile(file, "f.csv")).singleElement()
                    .satisfies(d -> assertThat(d.fields()).containsEntry("referenceId", "j-1").containsEntry("name", "José Ñúñez"));
        }
        DonorParser latin9 = new DonorParser(TextDecoding.of("sync.inbox.charset", "ISO-8859-15"));
        assertThat(latin9.parseFile("referenceId,name\ne-1,\u20ac\n".getBytes(java.nio.charset.Charset.forName("ISO-8859-15")), "f.csv").get(0).fields())
                .containsEntry("name", "\u20ac");
        assertThatThrownBy(() -> TextDecoding.of("sync.inbox.charset", "klingon")).hasMessage("sync.inbox.charset: 'klingon' is neither auto nor a charset this JVM knows");
    }

    @Test
    void anEmptyBinaryOrRowlessFileIsRefusedAsAWhole() {
        assertRefused(() -> parser.parseFile(new byte[0], "f.csv"), 400, "empty file");
        assertRefused(() -> parser.parseFile("\uFEFF \n".getBytes(StandardCharsets.UTF_8), "f.json"), 400, "empty file");
        assertRefused(() -> parser.parseFile(new byte[] {'P', 'K', 3, 4, 0, 0, 9}, "f.csv"), 400, "not a text file");
        assertRefused(() -> parser.parseFile("referenceId,name\n".getBytes(StandardCharsets.UTF_8), "f.csv"), 400, "no donors: a header row");
        assertRefused(() -> parser.parseFile("referenceId,,name\na,b,c\n".getBytes(StandardCharsets.UTF_8), "f.csv"), 400, "malformed CSV header");
    }

    private static void assertRefused(Runnable delivery, int status, String problem) {
        assertThatThrownBy(delivery::run).isInstanceOfSatisfying(IntakeRefusedException.class, e -> {
            assertThat(e.getStatus()).isEqualTo(status);
            assertThat(e.getMessage()).startsWith(problem);
        });
    }

    @Test
    void readsCsvWithHeaderQuotesAndCustomFieldColumns() {
        List<DonorInput> donors = parser.parseFile("""
                referenceId,name,city,customFields.Job Title
                a,"Smith, Jones & Co",Leeds,Treasurer

                b,Solo,,
                """.getBytes(StandardCharsets.UTF_8), "donors.csv");

        assertThat(donors).hasSize(2);
        assertThat(donors.get(0).fields()).containsEntry("name", "Smith, Jones & Co")
                .containsEntry("customFields", Map.of("Job Title", "Treasurer"));
        assertThat(donors.get(0).rawText()).isEqualTo("a,\"Smith, Jones & Co\",Leeds,Treasurer");
        assertThat(donors.get(1).fields()).containsOnlyKeys("referenceId", "name");
    }

    @Test
    void aCsvRowWithTheWrongNumberOfColumnsIsUnreadableAndTheOthersGoOn() {
        List<DonorInput> donors = parser.parseCsv("referenceId,name\na,A\nb,B,extra\nc,C\n", "f.csv");

        assertThat(donors).extracting(DonorInput::parseError).containsExactly(null, "expected 2 columns, found 3", null);
        assertThat(donors.get(1).rawText()).isEqualTo("b,B,extra");
        assertThat(donors.get(1).origin()).isEqualTo("f.csv line 3");
    }

    @Test
    void anUnclosedQuoteKeepsTheRestOfTheFileForTheDeadLetter() {
        List<DonorInput> donors = parser.parseCsv("referenceId,name\na,A\nb,\"B\nc,C\n", "f.csv");

        assertThat(donors.get(0).fields()).containsEntry("referenceId", "a");
        assertThat(donors.get(donors.size() - 1).parseError()).startsWith("malformed CSV");
    }
}
