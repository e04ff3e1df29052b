package org.consentrecorder.testing.ari;

/** A playback on a channel. */
final class FakePlayback {
    final String id;
    final String media;
    final String language;
    final String channelId;
    String state = "queued";
    long finishTimer = -1;

    FakePlayback(String id, String media, String language, String channelId) {
        this.id = id;
        this.media = media;
        this.language = language;
        this.channelId = channelId;
    }
}
