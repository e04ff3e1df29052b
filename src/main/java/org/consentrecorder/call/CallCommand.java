package org.consentrecorder.call;

import java.time.Duration;
import java.util.UUID;
import org.consentrecorder.ari.ContinueTarget;

/**
 * What the pure {@link CallCore} asks the shell ({@link CallSession}) to do. Sealed: the shell
 * knows every kind (see {@link ShellCommands}). Commands with a {@link CommandKey} report back as
 * {@link CallEvent.CommandSucceeded} or {@link CallEvent.CommandFailed} with the same key.
 */
public sealed interface CallCommand {

    record Answer(CommandKey key) implements CallCommand {
    }

    record LoadPreference(String subject) implements CallCommand {
        @Override
        public String toString() {
            // the subject is a caller number: never printable
            return "LoadPreference[*]";
        }
    }

    record Play(CommandKey key, String playbackId, String mediaUri, String language) implements CallCommand {
    }

    record StopPlayback(CommandKey key, String playbackId) implements CallCommand {
    }

    record StartTimer(TimerKey key, Duration after) implements CallCommand {
    }

    record CancelTimer(TimerKey key) implements CallCommand {
    }

    /** Append a consent decision to the evidence (and update the caller's preference when it changes). */
    record RecordDecision(CommandKey key, ConsentEvidence evidence) implements CallCommand {
        @Override
        public String toString() {
            return "RecordDecision[" + key + ", " + evidence.id() + ", " + evidence.outcome().wire() + "]";
        }
    }

    /** Make the current state durable, so a restarted application can take the call over. */
    record SaveState(CallStateSnapshot snapshot) implements CallCommand {
        @Override
        public String toString() {
            return "SaveState[" + snapshot.phase().wire() + "]";
        }
    }

    record SetVariable(CommandKey key, String name, String value) implements CallCommand {
    }

    record Continue(CommandKey key, ContinueTarget target) implements CallCommand {
    }

    /** Keep receiving the caller channel's events after it leaves Stasis. */
    record Subscribe(CommandKey key) implements CallCommand {
    }

    record CreateSnoop(CommandKey key, String snoopId, String spy) implements CallCommand {
    }

    record StartRecording(CommandKey key, String snoopId, String recordingName, String format) implements CallCommand {
    }

    record HangupSnoop(CommandKey key, String snoopId) implements CallCommand {
    }

    /** SKIP style uses ARI pause, SILENCE style uses ARI mute. */
    record PauseRecording(CommandKey key, String recordingName, PauseStyle style) implements CallCommand {
    }

    record ResumeRecording(CommandKey key, String recordingName, PauseStyle style) implements CallCommand {
    }

    /** Stop and keep what was recorded so far (fail-closed path). */
    record StopRecording(CommandKey key, String recordingName) implements CallCommand {
    }

    /** Stop and discard the live recording, then make sure no stored copy remains on Asterisk. */
    record DiscardRecording(CommandKey key, String recordingName) implements CallCommand {
    }

    record AppendTimeline(TimelineEntry entry) implements CallCommand {
    }

    /** The answer to an API request. */
    record ControlAnswered(UUID requestId, ControlStatus status, String detail) implements CallCommand {
    }

    /**
     * A consented recording has ended on Asterisk (call hung up, or stopped): hand it to the
     * encrypted archive. Never emitted for a discarded (withdrawn) recording. A stereo call hands
     * over both legs at once, when both have ended (outRecordingName is null for a mono call), with
     * how much later its second leg started than its first by their RecordingStarted times
     * (outOffsetMillis; null for mono, or when either time is unknown, e.g. an event lost in an outage).
     */
    record ArchiveRecording(String recordingName, String outRecordingName, Long outOffsetMillis, UUID consentId,
                            String subject, Integer durationSeconds) implements CallCommand {

        /** A mono recording. */
        public ArchiveRecording(String recordingName, UUID consentId, String subject, Integer durationSeconds) {
            this(recordingName, null, null, consentId, subject, durationSeconds);
        }

        @Override
        public String toString() {
            return "ArchiveRecording[" + recordingName + (outRecordingName == null ? "" : " + " + outRecordingName)
                    + ", " + consentId + "]";
        }
    }

    /** Nothing more will happen for this call: release its state. */
    record Finished(Outcome outcome) implements CallCommand {
    }
}
