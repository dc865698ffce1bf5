package org.contactsync.sandbox;

import java.util.Map;

/** One batch result with the Contact as it stood right after that import, which is what its webhook carries. */
record ImportOutcome(BatchResult result, Map<String, Object> contact) {
}
