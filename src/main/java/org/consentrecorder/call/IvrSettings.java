package org.consentrecorder.call;

import java.time.Duration;

/**
 * Deployment choices for the consent IVR. Under LEGITIMATE_INTEREST the decline key is the
 * objection key and silence means "recorded"; under CONSENT silence is never consent.
 * {@code regrantWindow}: how long after the "you will not be recorded" notice a caller who
 * withdrew earlier may press the accept key to allow recording again (zero: not offered).
 */
public record IvrSettings(
        LawfulBasis basis,
        char acceptKey,
        char declineKey,
        Duration noInputTimeout,
        int attempts,
        Duration promptMaxDuration,
        Duration regrantWindow,
        NoticeCatalog notices,
        ContinueTargets targets,
        CallerIdentity identity) {
}
