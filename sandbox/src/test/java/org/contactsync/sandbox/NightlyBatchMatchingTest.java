package org.contactsync.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NightlyBatchMatchingTest {

    private static final String SOURCE = "PartnerPlatform";

    private final VirtuousSandbox sandbox = new VirtuousSandbox();
    private final SandboxHttp http = new SandboxHttp(sandbox);

    @BeforeEach
    void start() {
        sandbox.start();
    }

    @AfterEach
    void stop() {
        sandbox.stop();
    }

    @Test
    void referenceOutranksEmail() {
        long byReference = sandbox.seedContact(Map.of("name", "Referenced", "referenceSource", SOURCE, "referenceId", "donor-1"));
        sandbox.seedContact(Map.of("name", "Emailed", "email", "shared@example.org"));

        assertEquals(byReference, importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-1", "email", "shared@example.org")));
    }

    @Test
    void phoneMatchesOnDigitsOnly() {
        long known = sandbox.seedContact(Map.of("firstName", "Mary", "lastName", "Jackson", "phone", "(555) 010-0199"));

        assertEquals(known, importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-2", "phone", "555.010.0199")));
    }

    @Test
    void nameAndAddressMatchIgnoringCaseAndSpacing() {
        long known = sandbox.seedContact(Map.of("firstName", "Katherine", "lastName", "Johnson",
                "address1", "1 NASA Drive", "postal", "23666"));

        assertEquals(known, importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-3",
                "firstName", " katherine", "lastName", "JOHNSON ", "address1", "1  nasa drive", "postal", "23666")));
    }

    @Test
    void nameAloneDoesNotMatch() {
        long known = sandbox.seedContact(Map.of("firstName", "Dorothy", "lastName", "Vaughan", "address1", "2 Langley Road", "postal", "23665"));

        long imported = importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-4", "firstName", "Dorothy", "lastName", "Vaughan",
                "address1", "9 Elsewhere Street", "postal", "10001"));

        assertEquals(2, sandbox.contacts().size());
        assertNotEquals(known, imported);
    }

    @Test
    void mergeFillsBlanksAndAddsButNeverOverwrites() {
        long known = sandbox.seedContact(Map.of("firstName", "Grace", "lastName", "Hopper", "email", "grace@example.org",
                "address1", "1 Navy Way", "postal", "22201", "tags", "board"));

        importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-5", "firstName", "Amazing", "lastName", "Grace",
                "email", "grace@example.org", "address1", "1 navy way", "city", "Arlington", "postal", "22201", "tags", "Board;gala"));
        importOne(Map.of("referenceSource", SOURCE, "referenceId", "donor-5", "email", "grace@example.org",
                "address1", "7 Harbour Street", "postal", "02110"));

        Map<String, Object> contact = sandbox.contact(known);
        assertEquals("Grace Hopper", contact.get("name"));
        assertEquals(List.of("board", "gala"), contact.get("tags"));
        Map<?, ?> address = (Map<?, ?>) contact.get("address");
        assertEquals("1 Navy Way", address.get("address1"), "a new address is added beside the primary one, not over it");
        assertEquals("Arlington", address.get("city"));
        Map<?, ?> individual = (Map<?, ?>) ((List<?>) contact.get("contactIndividuals")).get(0);
        assertEquals("Grace", individual.get("firstName"));
        assertEquals(1, ((List<?>) individual.get("contactMethods")).size());
        assertEquals(List.of(Map.of("source", SOURCE, "id", "donor-5")), contact.get("contactReferences"));
    }

    @Test
    void seedingARecordWithAReferenceInUseIsRefused() {
        sandbox.seedContact(Map.of("name", "First", "referenceSource", SOURCE, "referenceId", "donor-6"));

        assertThrows(IllegalArgumentException.class,
                () -> sandbox.seedContact(Map.of("name", "Second", "referenceSource", SOURCE, "referenceId", "donor-6")));
        assertEquals(1, sandbox.contactCountForReference(SOURCE, "donor-6"));
    }

    @Test
    void seedingWhatTheApiWouldRefuseFails() {
        assertThrows(IllegalArgumentException.class, () -> sandbox.seedContact(Map.of("name", "Family", "contactType", "Clan")));
        assertThrows(IllegalArgumentException.class, () -> sandbox.seedContact(Map.of("name", "Ada", "email", "ada-at-example")));
    }

    @Test
    void concurrentSubmissionsAndBatchesNeverDuplicateAReference() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String referenceId = "donor-" + (i % 10);
                calls.add(callers.submit(() -> http.postJson("/api/Contact/Transaction",
                        Map.of("referenceSource", SOURCE, "referenceId", referenceId, "name", referenceId))));
                if (i % 20 == 0) {
                    calls.add(callers.submit(sandbox::runBatch));
                }
            }
            for (Future<?> call : calls) {
                call.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        sandbox.runBatch();

        assertEquals(10, sandbox.contacts().size());
        for (int i = 0; i < 10; i++) {
            assertEquals(1, sandbox.contactCountForReference(SOURCE, "donor-" + i));
        }
        assertEquals(200, sandbox.requestCount("POST", "/api/Contact/Transaction"));
    }

    @Test
    void transactionWithoutReferenceIsHeldAndImportedOnItsOwn() {
        http.postJson("/api/Contact/Transaction", Map.of("firstName", "Annie", "lastName", "Easley"));
        http.postJson("/api/Contact/Transaction", Map.of("firstName", "Annie", "lastName", "Easley"));

        assertEquals(2, sandbox.heldTransactions().size());
        List<BatchResult> results = sandbox.runBatch();
        assertEquals(new BatchResult("contactCreate", results.get(0).contactId(), null, null), results.get(0));
    }

    private long importOne(Map<String, Object> transaction) {
        assertEquals(200, http.postJson("/api/Contact/Transaction", transaction).statusCode());
        List<BatchResult> results = sandbox.runBatch();
        assertEquals(1, results.size());
        return results.get(0).contactId();
    }
}
