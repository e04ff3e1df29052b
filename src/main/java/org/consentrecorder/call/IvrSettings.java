package org.consentrecorder.call;

import java.time.Duration;

/**
 * Deployment choices for the consent IVR. Under LEGITIMATE_INTEREST the decline key is the
 * objection key and silence means "recorded"; under CONSENT silence is never consent.
 */
public record IvrSettings(
        LawfulBasis basis,
        char acceptKey,
        char declineKey,
        Duration noInputTimeout,
        int attempts,
        Duration promptMaxDuration,
        NoticeCatalog notices,
        ContinueTargets targets,
        CallerIdentity identity) {
}
