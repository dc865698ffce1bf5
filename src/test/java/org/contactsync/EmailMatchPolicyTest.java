package org.contactsync;

import java.util.Map;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.contactsync.testing.SyncFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** sync.email-match=submit: a Contact found only by email is treated as a different donor. */
class EmailMatchPolicyTest {

    @RegisterExtension
    final SyncFixture fixture = new SyncFixture().with("sync.email-match", "submit").startedByTest();

    @Test
    void submitPolicySendsATransactionInsteadOfAssociating() throws Exception {
        sandbox().seedContact(Map.of("firstName", "Marie", "lastName", "Curie", "email", "marie@example.org"));
        fixture.start(Map.of());
        bundle().post("/donors", """
                {"referenceId": "shared-email-1", "firstName": "Irene", "lastName": "Curie", "email": "marie@example.org"}""");

        LedgerEntry entry = bundle().awaitState("PartnerPlatform", "shared-email-1", SyncState.PENDING);
        assertThat(entry.contactId()).isNull();
        assertThat(sandbox().requestCount("GET", "/api/Contact/Find")).isEqualTo(2);
        assertThat(sandbox().requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
    }

    private VirtuousSandbox sandbox() {
        return fixture.sandbox();
    }

    private SyncBundle bundle() {
        return fixture.bundle();
    }
}
