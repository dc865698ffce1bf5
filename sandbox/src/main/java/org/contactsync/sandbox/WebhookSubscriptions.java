package org.contactsync.sandbox;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The organisation's webhook subscriptions, in creation order. */
final class WebhookSubscriptions {

    private final ConcurrentNavigableMap<Long, WebhookSubscription> subscriptions = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();

    WebhookSubscription create(ObjectNode body) {
        WebhookSubscription subscription = WebhookSubscription.from(ids.incrementAndGet(), body);
        subscriptions.put(subscription.id(), subscription);
        return subscription;
    }

    Optional<WebhookSubscription> get(long id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    Optional<WebhookSubscription> replace(long id, ObjectNode body) {
        return Optional.ofNullable(subscriptions.computeIfPresent(id, (key, old) -> WebhookSubscription.from(id, body)));
    }

    boolean delete(long id) {
        return subscriptions.remove(id) != null;
    }

    List<WebhookSubscription> all() {
        return List.copyOf(subscriptions.values());
    }
}
