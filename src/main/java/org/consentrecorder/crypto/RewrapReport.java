package org.consentrecorder.crypto;

/**
 * Outcome of {@link SubjectKeyStore#rewrapAll}.
 *
 * @param rewrapped      keys moved to the newest KEK
 * @param alreadyNewest  keys that already were under it (left as they were)
 * @param newest         the KEK everything is now wrapped under
 */
public record RewrapReport(int rewrapped, int alreadyNewest, KekId newest) {
}
