package org.contactsync.deadletter;

import java.time.OffsetDateTime;

/** One stored dead letter: the donor as it was, why it failed, and how hard the bundle tried. */
public record DeadLetter(long id, String referenceSource, String referenceId, String stage, String reason, Integer httpStatus,
        String virtuousMessage, String originalInput, int attempts, OffsetDateTime failedAt) {
}
