package org.consentrecorder.call;

/**
 * What the call flow needs to know about the caller's channel at StasisStart. Caller data is taken
 * here because Asterisk may change it later (a Local channel shows an empty caller after continue).
 */
public record ChannelSnapshot(
        String id,
        String name,
        String callerNumber,
        String callerName,
        String dialledNumber,
        String language,
        String linkedId) {

    @Override
    public String toString() {
        // caller number and name are personal data, and a channel name may carry a number: never printable
        return "ChannelSnapshot[" + id + "]";
    }
}
