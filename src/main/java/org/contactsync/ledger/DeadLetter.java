package org.contactsync.ledger;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One stored dead letter: the donor as it arrived, why it failed, how hard the bundle tried, the donor's history in the
 * ledger, and what an operator did with it ({@code outcome}: null while open, then {@code replayed}, {@code discarded},
 * or {@code superseded} once the platform sent the donor again).
 */
public record DeadLetter(long id, String referenceSource, String referenceId, String stage, String reason, Integer httpStatus,
        String virtuousMessage, String originalInput, int attempts, OffsetDateTime failedAt, String outcome, String outcomeReason,
        List<Map<String, Object>> history) {

    /** The letter for the operator API: timestamps as ISO-8601 text, absent values left out. */
    public Map<String, Object> toView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id);
        view.put("referenceSource", referenceSource);
        view.put("referenceId", referenceId);
        view.put("stage", stage);
        view.put("reason", reason);
        view.put("httpStatus", httpStatus);
        view.put("virtuousMessage", virtuousMessage);
        view.put("attempts", attempts);
        view.put("failedAt", failedAt.toString());
        view.put("outcome", outcome);
        view.put("outcomeReason", outcomeReason);
        view.put("originalInput", originalInput);
        view.put("history", history);
        view.values().removeIf(Objects::isNull);
        return view;
    }
}
