package org.contactsync.intake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What intake made of the donors of one request or file: the accepted reference pairs and the rejects with their reasons. */
public record IntakeReport(List<Map<String, Object>> accepted, List<Map<String, Object>> rejected) {

    public IntakeReport() {
        this(new ArrayList<>(), new ArrayList<>());
    }

    @Override
    public String toString() {
        return accepted.size() + " accepted, " + rejected.size() + " rejected";
    }
}
