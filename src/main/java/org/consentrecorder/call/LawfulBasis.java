package org.consentrecorder.call;

import java.util.Locale;

/**
 * The deployment's lawful basis for recording (GDPR Art. 6), recorded with every decision.
 * CONSENT records only after the accept key; LEGITIMATE_INTEREST records unless the caller objects.
 */
public enum LawfulBasis {
    CONSENT,
    LEGITIMATE_INTEREST;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
