package org.contactsync;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.contactsync.ledger.DeadLetter;
import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replay that shows its diff (issue 17), against the sandbox over real HTTP: a preview lists, per dead letter, what the
 * replay would send and what Virtuous holds now, field by field; its token applies exactly what was shown, once, however
 * often and however concurrently it is applied (counted in the sandbox's submissions); a letter changed since is not
 * replayed. One bundle for the class: each test has donors of its own.
 */
class ReplayPreviewTest {

    private static final String SOURCE = "PartnerPlatform";

    @RegisterExtension
    // the redrive (which sends a donor recorded outside intake's queue on) every half second, not every minute
    static final SyncFixture fixture = new SyncFixture().with(Map.of("sync.redrive.period-ms", "500"));

    @Test
    void aPreviewListsWhatEachReplayWouldSendAgainstWhatVirtuousHoldsFieldByFieldAndSendsNothing() throws Exception {
        long linked = sandbox().seedContact(Map.of("firstName", "Ada", "lastName", "Byron", "email", "ada@old.example",
                "referenceSource", SOURCE, "referenceId", "rp-link"));
        long known = sandbox().seedContact(Map.of("firstName", "Mary", "lastName", "Jackson", "referenceSource", SOURCE, "referenceId", "rp-update"));
        long survivor = sandbox().seedContact(Map.of("firstName", "Katherine", "lastName", "Goble"));
        long losing = sandbox().seedContact(Map.of("firstName", "Katherine", "lastName", "Goble", "referenceSource", SOURCE, "referenceId", "rp-merged"));
        long linkLetter = failedLookup("rp-link", "{\"referenceId\": \"rp-link\", \"firstName\": \"Augusta\", \"lastName\": \"Byron\"}");
        long newLetter = failedLookup("rp-new", "{\"referenceId\": \"rp-new\", \"firstName\": \"Dorothy\", \"lastName\": \"Vaughan\"}");
        long updateLetter = failedUpdate("rp-update", "Mary", "Jackson", "Winston");
        long mergedLetter = failedUpdate("rp-merged", "Katherine", "Goble", "Johnson");
        sandbox().mergeContact(losing, survivor);
        int submissionsBefore = sandbox().submissions().size();
        long putsBefore = sandbox().requestCount("PUT", "/api/Contact");

        SyncBundle.Response preview = bundle().post("/sync/replays", "{\"ids\": [%d, %d, %d, %d]}".formatted(linkLetter, newLetter, updateLetter, mergedLetter));

        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        Map<String, Object> answer = preview.json();
        assertThat(answer).containsEntry("count", 4).containsKey("token");
        Map<String, Map<String, Object>> letters = byReference(answer);
        assertThat(letters.get("rp-link")).containsEntry("action", "link").containsEntry("contactId", (int) linked)
                .containsEntry("resolvedBy", "found-by-reference");
        assertThat(changes(letters.get("rp-link"), "kept")).as("a link takes the Contact as Virtuous holds it")
                .contains(List.of("contactIndividuals[0].firstName", "Ada", "Augusta"));
        assertThat(changes(letters.get("rp-new"), "changes")).as("a new Contact: every field the Transaction sends")
                .contains(List.of("firstName", "-", "Dorothy"), List.of("lastName", "-", "Vaughan"), List.of("referenceId", "-", "rp-new"));
        assertThat(letters.get("rp-new")).containsEntry("action", "new");
        assertThat(letters.get("rp-update")).containsEntry("action", "update").containsEntry("contactId", (int) known);
        assertThat(changes(letters.get("rp-update"), "changes")).containsExactlyInAnyOrder(List.of("name", "Mary Jackson", "Mary Winston"),
                List.of("contactIndividuals[0].lastName", "Jackson", "Winston"));
        assertThat(letters.get("rp-merged")).containsEntry("action", "update").containsEntry("contactId", (int) survivor)
                .containsEntry("mergedFrom", (int) losing);
        assertThat((String) letters.get("rp-merged").get("note")).contains("Contact " + losing, "Contact " + survivor + " holds");
        assertThat(changes(letters.get("rp-merged"), "changes")).contains(List.of("contactIndividuals[0].lastName", "Goble", "Johnson"));
        // a preview only reads
        assertThat(sandbox().submissions()).hasSize(submissionsBefore);
        assertThat(sandbox().requestCount("PUT", "/api/Contact")).isEqualTo(putsBefore);
        assertThat(bundle().get("/sync/dead-letters").body()).contains("\"id\":" + linkLetter, "\"id\":" + newLetter);

        SyncBundle.Response applied = bundle().post("/sync/replays/" + answer.get("token"), "");

        assertThat(applied.status()).as(applied.body()).isEqualTo(202);
        assertThat((List<?>) applied.json().get("replayed")).hasSize(4);
        bundle().awaitState(SOURCE, "rp-new", SyncState.PENDING);
        assertThat(bundle().awaitState(SOURCE, "rp-link", SyncState.SYNCED).contactId()).isEqualTo(linked);
        assertThat(bundle().awaitApplied(SOURCE, "rp-merged").contactId()).isEqualTo(survivor);
        assertThat(sandbox().contact(survivor).toString()).contains("Johnson");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTokenAppliedTwiceAndConcurrentlySubmitsEachDonorOnceAndTheOthersAreToldItWasApplied() throws Exception {
        long first = failedLookup("rp-once-1", "{\"referenceId\": \"rp-once-1\", \"firstName\": \"Annie\", \"lastName\": \"Easley\"}");
        long second = failedLookup("rp-once-2", "{\"referenceId\": \"rp-once-2\", \"firstName\": \"Christine\", \"lastName\": \"Darden\"}");
        String body = "{\"ids\": [%d, %d]}".formatted(first, second);
        String token = (String) bundle().post("/sync/replays", body).json().get("token");
        // a second preview of the same letters: another token for the same donors
        String other = (String) bundle().post("/sync/replays", body).json().get("token");

        List<SyncBundle.Response> answers = concurrently(
                () -> bundle().post("/sync/replays/" + token, ""),
                () -> bundle().post("/sync/replays/" + token, ""),
                () -> bundle().post("/sync/replays/" + other, ""));
        SyncBundle.Response again = bundle().post("/sync/replays/" + token, "");

        // the same token twice at once: one apply runs it (202, or 409 when the other token took every letter first), the
        // other is told it was applied
        assertThat(answers.subList(0, 2)).filteredOn(answer -> answer.body().contains("already applied")).as(answers.toString())
                .singleElement().satisfies(answer -> assertThat(answer.status()).isEqualTo(409))
                .satisfies(answer -> assertThat(answer.body()).contains("nothing was sent again"));
        // two tokens naming the same letters: each letter is replayed by one of them, the other says so
        List<Object> replayed = new java.util.ArrayList<>();
        for (SyncBundle.Response answer : answers) {
            if (answer.status() == 202) {
                ((List<Map<String, Object>>) answer.json().get("replayed")).forEach(letter -> replayed.add(letter.get("id")));
            }
        }
        assertThat(replayed).as(answers.toString()).containsExactlyInAnyOrder((int) first, (int) second);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body()).contains("already applied", "nothing was sent again");
        bundle().awaitState(SOURCE, "rp-once-1", SyncState.PENDING);
        bundle().awaitState(SOURCE, "rp-once-2", SyncState.PENDING);
        assertThat(sandbox().submissions()).containsEntry(SOURCE + ":rp-once-1", 1).containsEntry(SOURCE + ":rp-once-2", 1);
        assertThat(bundle().deadLetters()).filteredOn(letter -> letter.id() == first || letter.id() == second)
                .extracting(DeadLetter::outcome).containsOnly("replayed");
        assertThat(bundle().post("/sync/replays/no-such-token", "").status()).isEqualTo(404);
    }

    @Test
    void aLetterChangedSinceItsPreviewIsNotReplayedAndTheTokenSaysWhy() throws Exception {
        long letter = failedLookup("rp-stale", "{\"referenceId\": \"rp-stale\", \"firstName\": \"Mary\", \"lastName\": \"Golda\"}");
        String token = (String) bundle().post("/sync/replays", "{\"reason\": \"%s\"}".formatted(reasonOf(letter))).json().get("token");
        // the platform sends the donor again, corrected: the letter the preview showed is superseded
        bundle().post("/donors", "{\"referenceId\": \"rp-stale\", \"firstName\": \"Mary\", \"lastName\": \"Golda Ross\"}");
        bundle().awaitState(SOURCE, "rp-stale", SyncState.PENDING);

        SyncBundle.Response applied = bundle().post("/sync/replays/" + token, "");

        assertThat(applied.status()).as(applied.body()).isEqualTo(409);
        assertThat(applied.body()).contains("nothing was replayed", "\"id\":" + letter, "already superseded");
        assertThat(sandbox().submissions()).containsEntry(SOURCE + ":rp-stale", 1);
        assertThat(bundle().entry(SOURCE, "rp-stale").donor()).containsEntry("lastName", "Golda Ross");
    }

    @Test
    void aLetterWhoseDonorTheLedgerTookAgainSinceItsPreviewIsNotReplayed() throws Exception {
        long letter = failedLookup("rp-version", "{\"referenceId\": \"rp-version\", \"firstName\": \"Mary\", \"lastName\": \"Sherman\"}");
        String token = (String) bundle().post("/sync/replays", "{\"ids\": [%d]}".formatted(letter)).json().get("token");
        // the platform's newer delivery, recorded by intake a moment before it closes the donor's open letters
        bundle().admissions().receive(new ReferencePair(SOURCE, "rp-version"), Map.of("referenceSource", SOURCE, "referenceId", "rp-version",
                "firstName", "Mary", "lastName", "Sherman Morgan"));

        SyncBundle.Response applied = bundle().post("/sync/replays/" + token, "");

        assertThat(applied.status()).as(applied.body()).isEqualTo(409);
        assertThat(applied.body()).contains("\"id\":" + letter, "changed since the preview");
        assertThat(bundle().entry(SOURCE, "rp-version").donor()).as("the newer donor stays").containsEntry("lastName", "Sherman Morgan");
        // and goes on by itself (the redrive): its lookup must not take the answer the next test plans for its own
        bundle().awaitState(SOURCE, "rp-version", SyncState.PENDING);
    }

    /** The donor's lookup is refused by Virtuous (400): its dead letter's id. */
    private static long failedLookup(String referenceId, String donor) throws Exception {
        // a message of its own: the letter's reason names only this donor's letter
        sandbox().answerNext("GET", "/api/Contact/Find", 400, "{\"message\": \"refused for %s\"}".formatted(referenceId));
        bundle().post("/donors", donor);
        bundle().awaitState(SOURCE, referenceId, SyncState.FAILED);
        return letterOf(referenceId);
    }

    /** The donor is linked to its seeded Contact, then its change of last name is refused by Virtuous's PUT: its dead letter's id. */
    private static long failedUpdate(String referenceId, String firstName, String lastName, String newLastName) throws Exception {
        String donor = "{\"referenceId\": \"%s\", \"firstName\": \"%s\", \"lastName\": \"%s\"}";
        bundle().post("/donors", donor.formatted(referenceId, firstName, lastName));
        bundle().awaitApplied(SOURCE, referenceId);
        sandbox().answerNext("PUT", "/api/Contact/", 400, "{\"message\": \"refused for the test\"}");
        bundle().post("/donors", donor.formatted(referenceId, firstName, newLastName));
        bundle().awaitState(SOURCE, referenceId, SyncState.FAILED);
        return letterOf(referenceId);
    }

    private static long letterOf(String referenceId) throws Exception {
        return bundle().deadLetters().stream().filter(letter -> referenceId.equals(letter.referenceId()) && letter.outcome() == null)
                .findFirst().orElseThrow().id();
    }

    private static String reasonOf(long letterId) throws Exception {
        return bundle().deadLetters().stream().filter(letter -> letter.id() == letterId).findFirst().orElseThrow().reason()
                .replace("\"", "\\\"");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> byReference(Map<String, Object> answer) {
        Map<String, Map<String, Object>> letters = new java.util.HashMap<>();
        ((List<Map<String, Object>>) answer.get("letters")).forEach(letter -> letters.put((String) letter.get("referenceId"), letter));
        return letters;
    }

    /** The letter's changes as [field, Virtuous's value or "-", the replay's]. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> changes(Map<String, Object> letter, String key) {
        return ((List<Map<String, Object>>) letter.get(key)).stream().map(change -> List.of(String.valueOf(change.get("field")),
                change.get("virtuous") == null ? "-" : String.valueOf(change.get("virtuous")), String.valueOf(change.get("replay")))).toList();
    }

    @SafeVarargs
    private static List<SyncBundle.Response> concurrently(Callable<SyncBundle.Response>... calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.length);
        try {
            List<Future<SyncBundle.Response>> futures = pool.invokeAll(List.of(calls));
            List<SyncBundle.Response> answers = new java.util.ArrayList<>();
            for (Future<SyncBundle.Response> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private static SyncBundle bundle() {
        return fixture.bundle();
    }
}
