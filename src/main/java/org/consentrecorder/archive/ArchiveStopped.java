package org.consentrecorder.archive;

/**
 * The pipeline gave up on a recording for good (it is not on Asterisk any more, or an erasure took
 * it while it waited): not a failure to retry. Its own type so the scheduler can tell it from one.
 */
final class ArchiveStopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ArchiveStopped(String message) {
        super(message, null, false, false);
    }
}
