package org.contactsync.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /api/Contact/Query and /Query/FullContact: paging, the modified-since condition, and what is refused. */
class ContactQueryTest {

    private static final Instant T0 = Instant.parse("2026-11-21T14:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);

    @BeforeEach
    void start() {
        sandbox.setClock(clock);
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void pagesThroughEveryContactInIdOrder() {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            ids.add(sandbox.seedContact(Map.of("name", "Donor " + i)));
        }

        Map<String, Object> firstPage = query("", Map.of());
        Map<String, Object> lastPage = query("?skip=20&take=10", Map.of());

        assertThat(firstPage.get("total")).isEqualTo(25);
        assertThat(idsOf(firstPage)).containsExactlyElementsOf(ids.subList(0, 10));
        assertThat(idsOf(lastPage)).containsExactlyElementsOf(ids.subList(20, 25));
        assertThat(idsOf(query("?take=1000", Map.of()))).hasSize(25);
    }

    @Test
    void lastModifiedDateSelectsContactsChangedAfterTheTimestamp() {
        long untouched = sandbox.seedContact(Map.of("name", "Untouched"));
        long edited = sandbox.seedContact(Map.of("name", "Edited"));
        clock.advance(Duration.ofHours(1));
        sandbox.editContact(edited, contact -> contact.put("description", "changed"));

        assertThat(idsOf(query("", after("Is After", "2026-11-21T14:00:00")))).containsExactly(edited);
        assertThat(idsOf(query("", after("After", "2026-11-21T16:30:00+02:00")))).containsExactly(edited);
        assertThat(idsOf(query("", after("Is After", "2026-11-21T13:59:59.9999999Z")))).containsExactly(untouched, edited);
    }

    @Test
    void conditionsInAGroupAreAndedAndGroupsOred() {
        sandbox.seedContact(Map.of("name", "First"));
        clock.advance(Duration.ofHours(1));
        long second = sandbox.seedContact(Map.of("name", "Second"));
        clock.advance(Duration.ofHours(1));
        long third = sandbox.seedContact(Map.of("name", "Third"));

        Map<String, Object> both = Map.of("groups", List.of(Map.of("conditions",
                List.of(condition("Is After", "2026-11-21T14:30:00"), condition("Is After", "2026-11-21T15:30:00")))));
        Map<String, Object> either = Map.of("groups", List.of(
                Map.of("conditions", List.of(condition("Is After", "2026-11-21T15:30:00"))),
                Map.of("conditions", List.of(condition("Is After", "2026-11-21T14:30:00")))),
                "sortBy", "Last Modified Date", "descending", true);

        assertThat(idsOf(query("", both))).containsExactly(third);
        assertThat(idsOf(query("", either))).containsExactly(third, second);
    }

    @Test
    void queryListsTheAbbreviatedShapeAndFullContactTheGetShape() {
        long ada = sandbox.seedContact(Map.of("firstName", "Ada", "lastName", "Lovelace", "email", "ada@example.org",
                "phone", "555-0100", "address1", "12 St James's Square", "city", "London", "postal", "SW1Y 4JH"));

        assertThat(list(query("", Map.of()))).containsExactly(Map.of("id", (int) ada, "name", "Ada Lovelace", "contactType", "Household",
                "contactName", "Ada Lovelace", "address", "12 St James's Square, London, SW1Y 4JH", "email", "ada@example.org",
                "phone", "555-0100", "contactViewUrl", "/Generosity/Contact/View/" + ada));
        assertThat(list(SandboxHttp.object(http.postJson("/api/Contact/Query/FullContact", Map.of())))).containsExactly(sandbox.contact(ada));
    }

    @Test
    void archivedContactsNeedIncludeArchivedAndMergedOnesAreGone() {
        long archived = sandbox.seedContact(Map.of("name", "Archived"));
        long merged = sandbox.seedContact(Map.of("name", "Merged"));
        long survivor = sandbox.seedContact(Map.of("name", "Survivor"));
        http.put("/api/Contact/Archive/" + archived, Map.of());
        sandbox.mergeContact(merged, survivor);

        assertThat(idsOf(query("", Map.of()))).containsExactly(survivor);
        assertThat(idsOf(query("", Map.of("includeArchived", true)))).containsExactly(archived, survivor);
    }

    @Test
    void unsupportedConditionsAndSortsAreValidationFailures() {
        sandbox.setErrorStyle("target");
        Map<String, Object> body = Map.of("groups", List.of(Map.of("conditions", List.of(
                Map.of("parameter", "Reference Id", "operator", "Is", "value", "donor-1"),
                condition("Is Before", "2026-11-21T14:00:00"),
                condition("After", "Yesterday")))), "sortBy", "Name");

        HttpResponse<String> refused = http.postJson("/api/Contact/Query", body);

        assertThat(refused.statusCode()).isEqualTo(422);
        List<?> details = (List<?>) ((Map<?, ?>) SandboxHttp.object(refused).get("error")).get("details");
        assertThat(details.stream().map(detail -> (Object) ((Map<?, ?>) detail).get("field")).toList()).containsExactly("groups[0].conditions[0].parameter", "groups[0].conditions[1].operator",
                        "groups[0].conditions[2].value", "sortBy");
    }

    @Test
    void pagingAndTypesAreCheckedBeforeTheQueryRuns() {
        HttpResponse<String> tooMany = http.postJson("/api/Contact/Query?take=1001", Map.of());
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(SandboxHttp.object(tooMany).get("modelState"))
                .isEqualTo(Map.of("take", List.of("take must be a whole number from 1 to 1000, not '1001'.")));
        assertThat(http.postJson("/api/Contact/Query?skip=-1", Map.of()).statusCode()).isEqualTo(400);

        HttpResponse<String> stringTyped = http.postJson("/api/Contact/Query", Map.of("descending", "true"));
        assertThat(stringTyped.statusCode()).isEqualTo(400);
        assertThat(SandboxHttp.object(stringTyped).get("modelState")).isEqualTo(
                Map.of("query.descending", List.of("Error converting value \"true\" to type 'System.Boolean'. Path 'descending'.")));
    }

    private Map<String, Object> query(String paging, Map<String, Object> body) {
        HttpResponse<String> response = http.postJson("/api/Contact/Query" + paging, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return SandboxHttp.object(response);
    }

    private static Map<String, Object> after(String operator, String timestamp) {
        return Map.of("groups", List.of(Map.of("conditions", List.of(condition(operator, timestamp)))));
    }

    private static Map<String, Object> condition(String operator, String value) {
        return Map.of("parameter", "Last Modified Date", "operator", operator, "value", value);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> page) {
        return (List<Map<String, Object>>) page.get("list");
    }

    private static List<Long> idsOf(Map<String, Object> page) {
        return list(page).stream().map(item -> ((Number) item.get("id")).longValue()).toList();
    }
}
