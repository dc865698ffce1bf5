package org.contactsync.intake;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DonorParserTest {

    private final DonorParser parser = new DonorParser();

    @Test
    void readsOneJsonDonorOrAnArray() {
        assertThat(parser.parseJson("{\"referenceId\":\"a\"}", "x")).singleElement()
                .satisfies(d -> assertThat(d.fields()).containsEntry("referenceId", "a"));
        List<DonorInput> donors = parser.parseJson("[{\"referenceId\":\"a\"}, 7, {\"referenceId\":\"b\"}]", "x");
        assertThat(donors).hasSize(3);
        assertThat(donors.get(1).parseError()).isEqualTo("expected a JSON object, found number");
        assertThat(donors.get(1).origin()).isEqualTo("x item 2");
        assertThat(donors.get(2).fields()).containsEntry("referenceId", "b");
    }

    @Test
    void malformedJsonIsOneUnreadableInputKeepingTheText() {
        assertThat(parser.parseJson("[{\"a\":", "x")).singleElement().satisfies(d -> {
            assertThat(d.parseError()).startsWith("malformed JSON");
            assertThat(d.rawText()).isEqualTo("[{\"a\":");
        });
        assertThat(parser.parseJson("\"just text\"", "x").get(0).parseError()).isEqualTo("expected a JSON object or an array of objects");
    }

    @Test
    void readsCsvWithHeaderQuotesAndCustomFieldColumns() {
        List<DonorInput> donors = parser.parseFile("""
                referenceId,name,city,customFields.Job Title
                a,"Smith, Jones & Co",Leeds,Treasurer

                b,Solo,,
                """, "donors.csv");

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
