package org.consentrecorder.call;

import java.util.UUID;

/**
 * An ARI event translated for the call flow, with what the registry needs to find its call:
 * a new call (StasisStart of a caller channel), a channel id, or a call id taken from one of our
 * own ids (snoop channel, playback, recording).
 */
public record RoutedEvent(Route route, String channelId, UUID callId, CallEvent event, String type) {

    public enum Route { NEW_CALL, CHANNEL, CALL, IGNORED }

    public static RoutedEvent ignored(String type) {
        return new RoutedEvent(Route.IGNORED, null, null, null, type);
    }
}
