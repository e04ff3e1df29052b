package org.consentrecorder.call;

import org.consentrecorder.ari.ContinueTarget;
import java.time.Duration;
import java.util.UUID;

/**
 * What the pure {@link CallFlow} asks the shell to do. Commands with a tag report back as
 * {@link CallEvent.CommandSucceeded} or {@link CallEvent.CommandFailed} with the same tag.
 */
public sealed interface CallCommand {

    record Answer(String tag) implements CallCommand {
    }

    record LoadPreference(String subject) implements CallCommand {
    }

    record Play(String tag, String playbackId, String mediaUri, String language) implements CallCommand {
    }

    record StopPlayback(String tag, String playbackId) implements CallCommand {
    }

    record StartTimer(String key, Duration after) implements CallCommand {
    }

    record CancelTimer(String key) implements CallCommand {
    }

    /** Append a consent decision to the evidence (and update the caller's preference when it changes). */
    record RecordDecision(String tag, ConsentEvidence evidence) implements CallCommand {
    }

    /** Make the current state durable, so a restarted application can take the call over. */
    record SaveState(CallStateSnapshot snapshot) implements CallCommand {
    }

    record SetVariable(String tag, String name, String value) implements CallCommand {
    }

    record Continue(String tag, ContinueTarget target) implements CallCommand {
    }

    /** Keep receiving the caller channel's events after it leaves Stasis. */
    record Subscribe(String tag) implements CallCommand {
    }

    record CreateSnoop(String tag, String snoopId, String spy) implements CallCommand {
    }

    record StartRecording(String tag, String snoopId, String recordingName, String format) implements CallCommand {
    }

    record HangupSnoop(String tag, String snoopId) implements CallCommand {
    }

    /** SKIP style uses ARI pause, SILENCE style uses ARI mute. */
    record PauseRecording(String tag, String recordingName, PauseStyle style) implements CallCommand {
    }

    record ResumeRecording(String tag, String recordingName, PauseStyle style) implements CallCommand {
    }

    /** Stop and keep what was recorded so far (fail-closed path). */
    record StopRecording(String tag, String recordingName) implements CallCommand {
    }

    /** Stop and discard the live recording, then make sure no stored copy remains on Asterisk. */
    record DiscardRecording(String tag, String recordingName) implements CallCommand {
    }

    record AppendTimeline(TimelineEntry entry) implements CallCommand {
    }

    /** The answer to an API request; status is a short machine word such as "paused" or "not_recording". */
    record ControlAnswered(UUID requestId, String status, String detail) implements CallCommand {
    }

    /**
     * A consented recording has ended on Asterisk (call hung up, or stopped): hand it to the
     * encrypted archive. Never emitted for a discarded (withdrawn) recording.
     */
    record ArchiveRecording(String recordingName, UUID consentId, String subject, Integer durationSeconds)
            implements CallCommand {
    }

    /** Nothing more will happen for this call: release its state. */
    record Finished(Outcome outcome) implements CallCommand {
    }
}
