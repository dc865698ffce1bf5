package org.contactsync.sandbox;

import java.time.Clock;
import java.time.Instant;

/** The settings every part of a running sandbox reads at call time, so a test may change them between requests. */
final class SandboxSettings {

    private volatile String apiKey;
    private volatile int rateLimitPerHour = 5000;
    private volatile Clock clock = Clock.systemUTC();
    private volatile String signatureHeader = "X-Virtuous-Signature";
    private volatile boolean webhookDeliveryEnabled = true;
    private volatile boolean webhookReferencesIncluded = true;
    private volatile ErrorStyle errorStyle = ErrorStyle.LEGACY;
    private volatile PutSemantics putSemantics = PutSemantics.REPLACE;
    private volatile long latencyMillis;
    private final OrganisationLists organisation = new OrganisationLists();
    private volatile long rateWindowSeconds = 3600;

    String apiKey() {
        return apiKey;
    }

    void apiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    int rateLimitPerHour() {
        return rateLimitPerHour;
    }

    void rateLimitPerHour(int rateLimitPerHour) {
        this.rateLimitPerHour = rateLimitPerHour;
    }

    Clock clock() {
        return clock;
    }

    void clock(Clock clock) {
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    String signatureHeader() {
        return signatureHeader;
    }

    void signatureHeader(String signatureHeader) {
        this.signatureHeader = signatureHeader;
    }

    boolean webhookDeliveryEnabled() {
        return webhookDeliveryEnabled;
    }

    void webhookDeliveryEnabled(boolean webhookDeliveryEnabled) {
        this.webhookDeliveryEnabled = webhookDeliveryEnabled;
    }

    boolean webhookReferencesIncluded() {
        return webhookReferencesIncluded;
    }

    void webhookReferencesIncluded(boolean webhookReferencesIncluded) {
        this.webhookReferencesIncluded = webhookReferencesIncluded;
    }

    ErrorStyle errorStyle() {
        return errorStyle;
    }

    void errorStyle(ErrorStyle errorStyle) {
        this.errorStyle = errorStyle;
    }

    PutSemantics putSemantics() {
        return putSemantics;
    }

    void putSemantics(PutSemantics putSemantics) {
        this.putSemantics = putSemantics;
    }

    long rateWindowSeconds() {
        return rateWindowSeconds;
    }

    void rateWindowSeconds(long rateWindowSeconds) {
        this.rateWindowSeconds = rateWindowSeconds;
    }

    long latencyMillis() {
        return latencyMillis;
    }

    void latencyMillis(long latencyMillis) {
        this.latencyMillis = latencyMillis;
    }

    OrganisationLists organisation() {
        return organisation;
    }
}
