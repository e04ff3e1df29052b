package org.consentrecorder.call;

import java.util.Optional;
import java.util.UUID;

/**
 * The ids this application gives to Asterisk objects embed the call id ("cr-<uuid>", snoop
 * "cr-<uuid>-snoop", a stereo call's second leg "cr-<uuid>-out" and "cr-<uuid>-out-snoop", playbacks "cr-<uuid>-pbN"), so any event about them can be routed to its
 * call without a lookup table, even when it overtakes the response to the request that made it,
 * and a recording found on Asterisk after a restart can be tied back to its call.
 */
public final class CallIds {
    public static final String PREFIX = "cr-";
    private static final int UUID_LENGTH = 36;

    private CallIds() {
    }

    public static Optional<UUID> callIdOf(String id) {
        if (id == null || !id.startsWith(PREFIX) || id.length() < PREFIX.length() + UUID_LENGTH) {
            return Optional.empty();
        }
        String candidate = id.substring(PREFIX.length(), PREFIX.length() + UUID_LENGTH);
        if (id.length() > PREFIX.length() + UUID_LENGTH && id.charAt(PREFIX.length() + UUID_LENGTH) != '-') {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(candidate));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The recording of a call: "cr-<call id>". */
    public static String recordingName(UUID callId) {
        return PREFIX + callId;
    }

    /** The snoop channel of a call: "cr-<call id>-snoop". */
    public static String snoopId(UUID callId) {
        return PREFIX + callId + "-snoop";
    }

    /**
     * The recording of what the caller hears, the second leg of a stereo call: "cr-<call id>-out".
     * The first leg keeps the mono name, so a stereo call's first leg is found where a mono one is.
     */
    public static String outRecordingName(UUID callId) {
        return PREFIX + callId + "-out";
    }

    /** The snoop channel of the second leg of a stereo call: "cr-<call id>-out-snoop". */
    public static String outSnoopId(UUID callId) {
        return PREFIX + callId + "-out-snoop";
    }

    /** The recording name of a leg of a call. */
    public static String recordingName(UUID callId, Leg leg) {
        return leg == Leg.IN ? recordingName(callId) : outRecordingName(callId);
    }

    /** The snoop channel id of a leg of a call. */
    public static String snoopId(UUID callId, Leg leg) {
        return leg == Leg.IN ? snoopId(callId) : outSnoopId(callId);
    }

    /** The n-th prompt played to a call: "cr-<call id>-pb<n>". */
    public static String playbackId(UUID callId, int n) {
        return PREFIX + callId + "-pb" + n;
    }

    public static boolean isSnoop(String channelId) {
        return channelId != null && channelId.endsWith("-snoop") && callIdOf(channelId).isPresent();
    }
}
