package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a moment falls in the recorded file, and how pauses are written. SKIP pauses cut their
 * time out of the file, SILENCE pauses (a mute) keep it as silence, so a timeline offset is the
 * wall time since the start less what SKIP pauses cut. Kept apart from {@link RecordingControl}
 * because offsets are evidence of what was never recorded and deserve their own small, exact rules.
 *
 * @param pausedSince when the current pause was accepted; null while recording
 * @param style how the current (or last) pause is written; null before the first pause
 * @param muteSpent a mute was used on this recording (it is used once at most: see {@link PauseStyle})
 */
public record RecordingClock(Instant startedAt, Instant pausedSince, long cutMillis, PauseStyle style,
                             boolean muteSpent) {

    public static RecordingClock startingAt(Instant startedAt) {
        return new RecordingClock(startedAt, null, 0, null, false);
    }

    /** The style of the next pause: a mute only while none has been spent on this recording. */
    RecordingClock nextPause(RecordingSettings s) {
        PauseStyle next = s.pauseStyle() == PauseStyle.SILENCE && !muteSpent ? PauseStyle.SILENCE : PauseStyle.SKIP;
        return new RecordingClock(startedAt, pausedSince, cutMillis, next, muteSpent || next == PauseStyle.SILENCE);
    }

    RecordingClock pausedAt(Instant at) {
        return new RecordingClock(startedAt, at, cutMillis, style, muteSpent);
    }

    RecordingClock resumedAt(Instant at) {
        return new RecordingClock(startedAt, null, cutMillis + cutSoFar(at), style, muteSpent);
    }

    /** After a take-over: whether a mute was sent before is not certain, so none is sent again. */
    RecordingClock takenOver(Instant pausedSince, PauseStyle style) {
        return new RecordingClock(startedAt, pausedSince, cutMillis, style, true);
    }

    /** Time the current pause has cut out of the file so far (zero for a mute, which writes silence). */
    long cutSoFar(Instant at) {
        if (style != PauseStyle.SKIP || pausedSince == null || !at.isAfter(pausedSince)) {
            return 0;
        }
        return Duration.between(pausedSince, at).toMillis();
    }

    /** Position in the recorded file: wall time since the start less what pauses cut out. */
    long offsetAt(Instant at) {
        long wall = Math.max(0, Duration.between(startedAt, at).toMillis());
        return Math.max(0, wall - cutMillis - cutSoFar(at));
    }

    TimelineEntry entry(RecordingSettings s, String recordingName, TimelineEntry.Change change, TriggerKind trigger,
                        String detail, Instant requestedAt, Instant acceptedAt, Instant effectiveAt) {
        boolean aboutAPause = change == TimelineEntry.Change.PAUSED || change == TimelineEntry.Change.RESUMED
                || change == TimelineEntry.Change.RESUME_FAILED || change == TimelineEntry.Change.PAUSE_FAILED_STOPPED;
        // pause rows say how that pause was written; the others carry the configured style
        PauseStyle rowStyle = aboutAPause && style != null ? style : s.pauseStyle();
        return new TimelineEntry(recordingName, change, trigger, detail, offsetAt(effectiveAt), requestedAt,
                acceptedAt, rowStyle);
    }
}
