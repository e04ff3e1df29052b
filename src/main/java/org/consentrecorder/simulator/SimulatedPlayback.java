package org.consentrecorder.simulator;

/** A playback on a channel. */
final class SimulatedPlayback {
    final String id;
    final String media;
    final String language;
    final String channelId;
    String state = "queued";
    long finishTimer = -1;

    SimulatedPlayback(String id, String media, String language, String channelId) {
        this.id = id;
        this.media = media;
        this.language = language;
        this.channelId = channelId;
    }
}
