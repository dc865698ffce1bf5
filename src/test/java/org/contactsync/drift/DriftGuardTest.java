package org.contactsync.drift;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.contactsync.ledger.ReferencePair;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The drift guard against the sandbox, renaming the organisation's values under a running bundle and checking on demand:
 * readiness names the setting and value within one check, the donors that would carry the value wait (not submitted, so
 * Virtuous refuses none of them, and not dead-lettered) while the others flow, and the check after the rename is undone
 * lets them go by themselves.
 */
class DriftGuardTest {

    private static final String SOURCE = "PartnerPlatform";
    private static final String DRIFT_CHECK = "virtuous-organisation-drift";

    // a delivery of three donors makes a bulk load, so the Batch path is held too; the check runs at start, as in production
    @RegisterExtension
    static final SyncFixture FIXTURE = new SyncFixture().with("sync.bulk.threshold", "2").with("sync.bulk.period-ms", "100")
            .with("sync.drift.check-period", "1d");

    private static final List<String> LISTS = List.of("contact-types", "contact-method-types", "custom-fields", "query-options");
    private static final Map<String, List<String>> ORGANISATION = new HashMap<>();

    @BeforeAll
    static void theOrganisationIsCheckedAtStart() {
        LISTS.forEach(list -> ORGANISATION.put(list, sandbox().organisationList(list)));
        await().atMost(Duration.ofSeconds(10)).until(() -> bundle().bean("drift-guard", DriftGuard.class).view().get("checkedAt") != null);
        assertThat(sandbox().requestCount("GET", "/api/ContactMethod/Types")).isOne();
    }

    /** Whatever a test renamed is the organisation's again for the next, and no test left a donor refused or dead-lettered. */
    @AfterEach
    void noDonorIsRefusedByVirtuousNorDeadLettered() throws Exception {
        ORGANISATION.forEach((list, names) -> sandbox().setOrganisationList(list, names));
        check();
        assertThat(bundle().bean("drift-guard", DriftGuard.class).drifts()).as("the organisation as it was: nothing drifted").isEmpty();
        assertThat(bundle().bean("drift-guard", DriftGuard.class).queryUsable()).isTrue();
        assertThat(sandbox().organisationRefusals()).as("values Virtuous's import refused").isZero();
        assertThat(bundle().deadLetters()).isEmpty();
    }

    @Test
    void aRenamedContactTypeHoldsTheDonorsOfTheDefaultTypeLiveAndBulkUntilItIsRenamedBack() throws Exception {
        check();
        assertThat(driftCheck()).doesNotContainKey("message");
        sandbox().renameOrganisationValue("contact-types", "Household", "Family");
        check();

        Map<String, Object> readiness = driftCheck();
        assertThat(readiness.get("state")).as("the other donors flow: a warning, not DOWN").isEqualTo("UP");
        assertThat((String) readiness.get("message")).contains("sync.default-contact-type: 'Household' is not a Contact Type of the organisation");
        assertThat(metric("virtuous_sync_drift{setting=\"sync.default-contact-type\"}")).isEqualTo(1.0);
        assertThat(metric("virtuous_sync_drift{setting=\"sync.default-email-type\"}")).isEqualTo(0.0);

        bundle().post("/donors", "{\"referenceId\":\"type-live\",\"firstName\":\"Ada\",\"lastName\":\"Held\"}");
        bundle().post("/donors", "{\"referenceId\":\"type-org\",\"name\":\"Flowing Trust\",\"contactType\":\"Organization\"}");
        bundle().post("/donors", """
                [{"referenceId":"type-bulk-1","firstName":"Bea","lastName":"Held"},
                 {"referenceId":"type-bulk-2","firstName":"Cy","lastName":"Held"},
                 {"referenceId":"type-bulk-org","name":"Bulk Trust","contactType":"Foundation"}]""");
        bundle().awaitState(SOURCE, "type-org", SyncState.PENDING);
        bundle().awaitState(SOURCE, "type-bulk-org", SyncState.PENDING);
        awaitHeld("type-live", "type-bulk-1", "type-bulk-2");
        assertThat(history("type-live")).anySatisfy(detail -> assertThat(detail)
                .startsWith("held: sync.default-contact-type: 'Household' is not a Contact Type"));
        assertThat(sandbox().submissions()).containsOnlyKeys(SOURCE + ":type-org", SOURCE + ":type-bulk-org");
        assertThat((String) driftCheck().get("message")).contains("3 donor(s) held");

        sandbox().renameOrganisationValue("contact-types", "Family", "Household");
        check();
        for (String id : List.of("type-live", "type-bulk-1", "type-bulk-2")) {
            bundle().awaitState(SOURCE, id, SyncState.PENDING);
        }
        assertThat(driftCheck()).doesNotContainKey("message");
        assertThat(metric("virtuous_sync_drift{setting=\"sync.default-contact-type\"}")).isEqualTo(0.0);
        assertThat(history("type-live")).anySatisfy(detail -> assertThat(detail).startsWith("released: "));
    }

    @Test
    void aRenamedContactMethodTypeHoldsTheDonorsCarryingItWhetherASettingOrTheDonorGaveIt() throws Exception {
        check();
        sandbox().renameOrganisationValue("contact-method-types", "Home Email", "Personal Email");
        sandbox().renameOrganisationValue("contact-method-types", "Mobile Phone", "Cell Phone");
        check();
        assertThat((String) driftCheck().get("message")).contains("sync.default-email-type: 'Home Email' is not a contact method type");

        bundle().post("/donors", "{\"referenceId\":\"method-email\",\"firstName\":\"Di\",\"lastName\":\"Held\",\"email\":\"di@example.org\"}");
        bundle().post("/donors", "{\"referenceId\":\"method-mobile\",\"firstName\":\"Ed\",\"lastName\":\"Held\","
                + "\"phone\":\"555-0101\",\"phoneType\":\"Mobile Phone\"}");
        bundle().post("/donors", "{\"referenceId\":\"method-work\",\"firstName\":\"Flo\",\"lastName\":\"Flows\","
                + "\"email\":\"flo@example.org\",\"emailType\":\"Work Email\",\"phone\":\"555-0102\"}");
        bundle().awaitState(SOURCE, "method-work", SyncState.PENDING);
        awaitHeld("method-email", "method-mobile");
        assertThat(history("method-mobile")).anySatisfy(detail -> assertThat(detail)
                .contains("phoneType: 'Mobile Phone' is not a contact method type of the organisation"));
        Map<String, Object> readiness = driftCheck();
        assertThat((String) readiness.get("message")).contains("sync.default-email-type", "phoneType: 'Mobile Phone'");
        assertThat(metric("virtuous_sync_drift{setting=\"phoneType\"}")).isEqualTo(1.0);
        assertThat(sandbox().submissions()).doesNotContainKeys(SOURCE + ":method-email", SOURCE + ":method-mobile");

        sandbox().renameOrganisationValue("contact-method-types", "Personal Email", "Home Email");
        sandbox().renameOrganisationValue("contact-method-types", "Cell Phone", "Mobile Phone");
        check();
        bundle().awaitState(SOURCE, "method-email", SyncState.PENDING);
        bundle().awaitState(SOURCE, "method-mobile", SyncState.PENDING);
        assertThat(driftCheck()).doesNotContainKey("message");
        assertThat(metric("virtuous_sync_drift{setting=\"phoneType\"}")).isEqualTo(0.0);
    }

    @Test
    void anUpdateOfAKnownContactIsHeldOnlyForWhatItWrites() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Gus", "lastName", "Known", "referenceSource", SOURCE, "referenceId", "update-1"));
        bundle().post("/donors", "{\"referenceId\":\"update-1\",\"firstName\":\"Gus\",\"lastName\":\"Known\"}");
        bundle().awaitApplied(SOURCE, "update-1");
        sandbox().renameOrganisationValue("contact-types", "Household", "Family");
        sandbox().renameOrganisationValue("contact-method-types", "Home Email", "Personal Email");
        check();

        // its Contact Type is the Contact's own, unchanged: a new last name goes out although Household drifted
        bundle().post("/donors", "{\"referenceId\":\"update-1\",\"firstName\":\"Gus\",\"lastName\":\"Renamed\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> "Renamed".equals(bundle().entry(SOURCE, "update-1").baseline().get("lastName")));
        // a new email would be written with the default email type, which Virtuous no longer has
        bundle().post("/donors", "{\"referenceId\":\"update-1\",\"firstName\":\"Gus\",\"lastName\":\"Renamed\",\"email\":\"gus@example.org\"}");
        awaitHeld("update-1");
        assertThat(history("update-1")).last().asString().startsWith("held: sync.default-email-type: 'Home Email'").doesNotContain("Contact Type");

        sandbox().renameOrganisationValue("contact-types", "Family", "Household");
        sandbox().renameOrganisationValue("contact-method-types", "Personal Email", "Home Email");
        check();
        bundle().awaitApplied(SOURCE, "update-1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aQueryConditionTheOrganisationLacksIsNamedAndTheStatusShowsTheDrift() throws Exception {
        sandbox().renameOrganisationValue("query-options", "Last Modified Date", "Date Modified");
        check();
        assertThat((String) driftCheck().get("message")).contains("sync.poll.query-min: 'Last Modified Date' is not a Contact query option");
        assertThat(bundle().bean("drift-guard", DriftGuard.class).queryUsable()).as("the poll asks by reference alone").isFalse();
        Map<String, Object> drift = (Map<String, Object>) bundle().get("/sync/status").json().get("drift");
        assertThat(drift.get("checkedAt")).isNotNull();
        assertThat((List<Map<String, Object>>) drift.get("drift")).singleElement()
                .satisfies(item -> assertThat(item).containsEntry("setting", "sync.poll.query-min").containsEntry("value", "Last Modified Date"));
        // renamed back (and checked) after each test
    }

    private static void awaitHeld(String... referenceIds) throws Exception {
        for (String id : referenceIds) {
            await().atMost(Duration.ofSeconds(10)).until(() -> history(id).stream().anyMatch(detail -> detail.startsWith("held: ")));
            assertThat(bundle().entry(SOURCE, id).state()).isEqualTo(SyncState.RECEIVED);
        }
    }

    private static List<String> history(String referenceId) {
        return bundle().ledger().history(new ReferencePair(SOURCE, referenceId)).stream().map(step -> String.valueOf(step.get("detail"))).toList();
    }

    /** The check on demand, as its schedule runs it; returns once it is done. */
    private static void check() throws Exception {
        try (var template = bundle().context().createProducerTemplate()) {
            template.sendBody("direct:virtuous-sync-drift-check", null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> driftCheck() throws Exception {
        return (Map<String, Object>) ((Map<String, Object>) bundle().get("/sync/health").json().get("checks")).get(DRIFT_CHECK);
    }

    private static double metric(String series) throws Exception {
        String scrape = bundle().observe("/observe/metrics").body();
        return scrape.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not exported"));
    }

    private static SyncBundle bundle() {
        return FIXTURE.bundle();
    }

    private static VirtuousSandbox sandbox() {
        return FIXTURE.sandbox();
    }
}
