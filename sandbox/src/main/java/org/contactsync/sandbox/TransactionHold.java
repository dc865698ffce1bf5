package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transactions accepted by the API and waiting for the nightly batch. A payload with a reference pair replaces the
 * one still held for that pair, so one donor never becomes two imports; one without a pair is always held on its own.
 * Every take of a pair is counted all the same, replaced or not: an integration that submits a donor twice has done
 * so whatever the sandbox makes of it, and a real import may well make two records of it.
 */
final class TransactionHold {

    private final Map<Object, ContactTransaction> held = new LinkedHashMap<>();
    private final Map<String, Integer> takes = new LinkedHashMap<>();

    synchronized void submit(List<ContactTransaction> transactions) {
        for (ContactTransaction transaction : transactions) {
            ContactReference reference = transaction.reference();
            Object key = reference == null ? new Object() : reference;
            if (reference != null) {
                takes.merge(reference.source() + ":" + reference.id(), 1, Integer::sum);
            }
            // Removing first moves a replaced payload to the end, where its latest submission puts it.
            held.remove(key);
            held.put(key, transaction);
        }
    }

    synchronized List<ContactTransaction> drain() {
        List<ContactTransaction> drained = new ArrayList<>(held.values());
        held.clear();
        return drained;
    }

    /** Per reference pair ({@code source:id}), how many Transactions and Batch items carrying it were taken, ever. */
    synchronized Map<String, Integer> takes() {
        return new LinkedHashMap<>(takes);
    }

    synchronized List<Map<String, Object>> payloads() {
        return held.values().stream().map(ContactTransaction::toMap).toList();
    }
}
