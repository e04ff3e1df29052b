package org.consentrecorder.call;

import java.util.List;
import java.util.UUID;

/**
 * Everything that can happen to a call, as the pure {@link CallCore} sees it. ARI events,
 * results of commands, timers and operator requests are all translated into these by the shell.
 */
public sealed interface CallEvent {

    /** The caller's channel entered the application. */
    record Started(ChannelSnapshot channel, List<String> args, String asteriskId) implements CallEvent {
        public Started {
            args = List.copyOf(args);
        }

        @Override
        public String toString() {
            return "Started[" + channel.id() + "]";
        }
    }

    /** Result of {@link CallCommand.LoadPreference}: true when "do not record" is on file. */
    record PreferenceLoaded(boolean doNotRecord) implements CallEvent {
    }

    record PlaybackStarted(String playbackId) implements CallEvent {
    }

    record PlaybackFinished(String playbackId, boolean failed) implements CallEvent {
    }

    /** A DTMF digit ended on the caller's channel (ARI reports digits only when they end). */
    record DtmfReceived(char digit) implements CallEvent {
        @Override
        public String toString() {
            // digits may be card data: never printable through toString
            return "DtmfReceived[*]";
        }
    }

    record HangupRequested() implements CallEvent {
    }

    /** The caller's channel left the application (hangup, or our own continue). */
    record StasisEnded() implements CallEvent {
    }

    record ChannelDestroyed() implements CallEvent {
    }

    record TimerFired(TimerKey key) implements CallEvent {
    }

    record CommandSucceeded(CommandKey key) implements CallEvent {
    }

    /** status is the HTTP status from ARI or 0 when no answer came (timeout, connection lost). */
    record CommandFailed(CommandKey key, int status, String message) implements CallEvent {
    }

    record SnoopEnteredStasis(String snoopId) implements CallEvent {
    }

    record SnoopLeftStasis(String snoopId) implements CallEvent {
    }

    /**
     * Asterisk started writing a recording; at is the event's timestamp (millisecond resolution),
     * null when not known. A stereo call keeps both legs' times: the archive aligns the legs by them.
     */
    record RecordingStarted(String name, java.time.Instant at) implements CallEvent {
        public RecordingStarted(String name) {
            this(name, null);
        }
    }

    record RecordingFinished(String name, Integer durationSeconds) implements CallEvent {
    }

    record RecordingFailed(String name, String cause) implements CallEvent {
    }

    /** A dialplan UserEvent raised on the caller's channel. */
    record UserEvent(String name) implements CallEvent {
    }

    /** The event WebSocket dropped (up = false) or is back and resynchronized (up = true). */
    record AriConnectivity(boolean up) implements CallEvent {
    }

    /**
     * This process took the call over from the state another (or an earlier) process saved, after
     * a restart. pausedOnAsterisk: Asterisk reports the recording "paused" now (it reports an ARI
     * pause, never a mute).
     */
    record TakenOver(boolean pausedOnAsterisk) implements CallEvent {
    }

    /** Pause, resume or an operator stop asked through the API; answered with {@link CallCommand.ControlAnswered}. */
    record ControlRequested(UUID requestId, ControlAction action, String requestedBy) implements CallEvent {
    }
}
