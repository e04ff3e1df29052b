package org.consentrecorder.call;

import java.util.UUID;

/**
 * An ARI event translated for the call flow, with what the registry needs to find its call:
 * a new call (StasisStart of a caller channel), a channel id, or a call id taken from one of our
 * own ids (snoop channel, playback, recording). PEER: a channel answered the caller's (its name in
 * {@code peer}); not an event for the core, only who the call is with.
 */
public record RoutedEvent(Route route, String channelId, UUID callId, CallEvent event, String type, String peer) {

    public enum Route { NEW_CALL, CHANNEL, CALL, PEER, IGNORED }

    public RoutedEvent(Route route, String channelId, UUID callId, CallEvent event, String type) {
        this(route, channelId, callId, event, type, null);
    }

    public static RoutedEvent ignored(String type) {
        return new RoutedEvent(Route.IGNORED, null, null, null, type);
    }
}
