package org.consentrecorder.privacy;

import java.util.Map;

/**
 * What the privacy lifecycle reports for monitoring as it happens. Open and overdue requests and
 * the time of the last successful retention run are read from the database by the application's
 * collector (every instance sees the same). An implementation must not block.
 */
public interface PrivacyMetrics {
    /** Reports nothing: the default until the application plugs in its metrics. */
    PrivacyMetrics NOOP = new PrivacyMetrics() {
    };

    /**
     * A retention run of this instance ended. counts holds what it removed or aggregated, by a
     * fixed set of kinds ({@code recordings_expired}, {@code calls_deleted}, ...).
     */
    default void retentionRun(boolean succeeded, Map<String, Long> counts) {
    }
}
