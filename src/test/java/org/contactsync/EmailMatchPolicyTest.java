package org.contactsync;

import java.nio.file.Path;
import java.util.Map;

import org.contactsync.ledger.LedgerEntry;
import org.contactsync.ledger.SyncState;
import org.contactsync.sandbox.VirtuousSandbox;
import org.contactsync.testing.SyncBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** sync.email-match=submit: a Contact found only by email is treated as a different donor. */
class EmailMatchPolicyTest {

    @TempDir
    Path directory;

    @Test
    void submitPolicySendsATransactionInsteadOfAssociating() throws Exception {
        VirtuousSandbox sandbox = new VirtuousSandbox();
        sandbox.setPort(0);
        sandbox.start();
        sandbox.seedContact(Map.of("firstName", "Marie", "lastName", "Curie", "email", "marie@example.org"));
        try (SyncBundle bundle = SyncBundle.start(directory, sandbox.getBaseUrl(), sandbox.getApiKey(), Map.of("sync.email-match", "submit"))) {
            bundle.post("/donors", """
                    {"referenceId": "shared-email-1", "firstName": "Irene", "lastName": "Curie", "email": "marie@example.org"}""");

            LedgerEntry entry = bundle.awaitState("PartnerPlatform", "shared-email-1", SyncState.PENDING);
            assertThat(entry.contactId()).isNull();
            assertThat(sandbox.requestCount("GET", "/api/Contact/Find")).isEqualTo(2);
            assertThat(sandbox.requestCount("POST", "/api/Contact/Transaction")).isEqualTo(1);
        } finally {
            sandbox.stop();
        }
    }
}
