package org.consentrecorder.archive;

import java.time.Duration;

/**
 * What the archive pipeline reports for monitoring. The backlog (how many recordings wait in
 * which state) is read from the database by the application's collector; this reports what only
 * the pipeline sees as it happens. Called on the pipeline's context: an implementation must not block.
 */
public interface ArchiveMetrics {
    /** Reports nothing: the default until the application plugs in its metrics. */
    ArchiveMetrics NOOP = new ArchiveMetrics() {
    };

    /** A recording reached 'archived': verified copy in the database, Asterisk's copy deleted. */
    default void archived(long plaintextBytes, Duration sinceFinished) {
    }

    /** A stored copy did not read back as what was fetched; it is fetched again. */
    default void verificationFailed() {
    }
}
