package org.contactsync.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Transactions accepted by the API and waiting for the nightly batch. A payload with a reference pair replaces the
 * one still held for that pair, so one donor never becomes two imports; one without a pair is always held on its own.
 */
final class TransactionHold {

    private final Map<Object, ContactTransaction> held = new LinkedHashMap<>();

    synchronized void submit(List<ContactTransaction> transactions) {
        for (ContactTransaction transaction : transactions) {
            ContactReference reference = transaction.reference();
            Object key = reference == null ? new Object() : reference;
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

    synchronized List<Map<String, Object>> payloads() {
        return held.values().stream().map(ContactTransaction::toMap).toList();
    }
}
