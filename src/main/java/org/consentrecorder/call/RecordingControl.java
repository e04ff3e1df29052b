package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.DiscardRecording;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.TimelineEntry.Change;

/**
 * Pure control of one live recording while its call is in the dialplan: payment pause and resume
 * from DTMF sequences, dialplan UserEvents, the API and the digit-burst safety net; fail-closed
 * stop when a pause is not accepted in time; stop-and-discard on withdrawal. Events in, commands
 * out; no I/O. Digits are kept only in memory and never appear in any command.
 *
 * <p>SILENCE style mutes a recording once at most: Asterisk releases before the fix for
 * asterisk/asterisk#322 (2023) never clear their "muted" flag on unmute, so a second mute is
 * answered 204 and ignored, and card data would be recorded. Every later pause of the same
 * recording uses ARI pause, whose state Asterisk tracks correctly on every release.
 */
public final class RecordingControl {
    public static final String PAUSE_DEADLINE_TIMER = "pause-deadline";
    public static final String MAX_PAUSE_TIMER = "max-pause";

    /** Where the recording is, as seen from the application. */
    public enum State {
        RECORDING,
        PAUSE_PENDING,
        PAUSED,
        RESUME_PENDING,
        /** Stopped and kept (fail closed, or the recording ended on its own). */
        STOPPED,
        /** Stopped and discarded because the caller withdrew consent. */
        DISCARDED,
        ENDED
    }

    /** Why a withdrawal happened, so the call flow can write the "withdrawn" evidence. */
    public record Withdrawal(TriggerKind trigger, String by, Instant at) {
    }

    private record Digit(char value, Instant at) {
    }

    private record QueuedPause(TriggerKind trigger, String detail) {
    }

    private record PendingRequest(UUID requestId, ControlAction action) {
    }

    private final RecordingSettings settings;
    private final String recordingName;
    private final String snoopId;
    private final Instant startedAt;

    private State state = State.RECORDING;
    private int requestSeq;
    private String inFlightTag;
    private TriggerKind inFlightTrigger;
    private String inFlightDetail;
    private Instant inFlightRequestedAt;
    private boolean resumeQueued;
    private QueuedPause pauseQueued;
    private Instant pausedSince;
    /** Time cut out of the file by SKIP pauses that have ended; SILENCE pauses stay in the file. */
    private long cutMillis;
    /** How the current (or last) pause is written; null before the first pause. */
    private PauseStyle currentStyle;
    private boolean muteSpent;
    private final Deque<Digit> sequenceBuffer = new ArrayDeque<>();
    private final Deque<Instant> burstWindow = new ArrayDeque<>();
    private final List<PendingRequest> pendingRequests = new ArrayList<>();
    private Withdrawal withdrawal;
    private boolean ended;
    private boolean reasserting;

    public RecordingControl(RecordingSettings settings, String recordingName, String snoopId, Instant startedAt) {
        this.settings = settings;
        this.recordingName = recordingName;
        this.snoopId = snoopId;
        this.startedAt = startedAt;
    }

    /**
     * Takes over a live recording after a restart or reconnect, from what the timeline and
     * Asterisk say: when it started, how much was cut out by earlier pauses, and whether (and how)
     * it is paused now. A taken-over recording is never muted again: whether a mute was sent
     * before the restart is not certain.
     */
    public static RecordingControl restore(RecordingSettings settings, String recordingName, String snoopId,
                                           Instant startedAt, long cutMillisBefore, Instant pausedSince,
                                           PauseStyle pausedStyle) {
        RecordingControl c = new RecordingControl(settings, recordingName, snoopId, startedAt);
        c.cutMillis = cutMillisBefore;
        c.muteSpent = true;
        if (pausedSince != null) {
            c.state = State.PAUSED;
            c.pausedSince = pausedSince;
            // unknown: ARI pause, the one style whose state Asterisk reports back
            c.currentStyle = pausedStyle != null ? pausedStyle : PauseStyle.SKIP;
        }
        return c;
    }

    public State state() {
        return state;
    }

    public boolean isPaused() {
        return state == State.PAUSED || state == State.PAUSE_PENDING || state == State.RESUME_PENDING;
    }

    /** True while Asterisk may still be writing this recording. */
    public boolean isLive() {
        return !ended && state != State.STOPPED && state != State.DISCARDED && state != State.ENDED;
    }

    public String recordingName() {
        return recordingName;
    }

    /** The first timeline row: recording started at offset 0. */
    public List<CallCommand> started() {
        return List.of(new AppendTimeline(entry(Change.STARTED, null, null, startedAt, startedAt, startedAt)));
    }

    /**
     * After a take-over the database may say "paused" while Asterisk records again (a resume
     * accepted just before the crash, not yet written down). Pausing again is harmless when it is
     * paused (Asterisk answers 204) and essential when it is not; a refusal stops the recording.
     */
    public List<CallCommand> reassertPause(Instant now) {
        if (state != State.PAUSED) {
            return List.of();
        }
        state = State.PAUSE_PENDING;
        reasserting = true;
        inFlightTag = "rc-reassert-" + (++requestSeq);
        inFlightTrigger = TriggerKind.API;
        inFlightDetail = "re-asserted after take-over";
        inFlightRequestedAt = now;
        return List.of(
                new PauseRecording(inFlightTag, recordingName, currentStyle),
                new StartTimer(PAUSE_DEADLINE_TIMER, settings.pauseDeadline()));
    }

    /** A withdrawal that happened since the last call, consumed once. */
    public Optional<Withdrawal> takeWithdrawal() {
        Optional<Withdrawal> w = Optional.ofNullable(withdrawal);
        withdrawal = null;
        return w;
    }

    // ---- triggers ----------------------------------------------------------------------------

    public List<CallCommand> onDigit(char digit, Instant now) {
        if (!isLive()) {
            return List.of();
        }
        Digit last = sequenceBuffer.peekLast();
        if (last != null && Duration.between(last.at(), now).compareTo(settings.sequenceGap()) > 0) {
            sequenceBuffer.clear();
        }
        sequenceBuffer.addLast(new Digit(digit, now));
        while (sequenceBuffer.size() > 16) {
            sequenceBuffer.removeFirst();
        }
        if (endsWith(settings.withdrawSequence())) {
            sequenceBuffer.clear();
            return withdraw(TriggerKind.DTMF_SEQUENCE, "caller", now);
        }
        if (endsWith(settings.pauseSequence())) {
            sequenceBuffer.clear();
            return pause(TriggerKind.DTMF_SEQUENCE, "pause sequence", now);
        }
        if (endsWith(settings.resumeSequence())) {
            sequenceBuffer.clear();
            return resume(TriggerKind.DTMF_SEQUENCE, "resume sequence", now);
        }
        return burstGuard(now);
    }

    /**
     * The event connection to Asterisk is gone: a payment trigger raised now would never reach us
     * (ARI replays nothing), so the recording is paused until an explicit resume.
     */
    public List<CallCommand> onOutage(Instant now) {
        if (!isLive()) {
            return List.of();
        }
        return pause(TriggerKind.ARI_OUTAGE, "event connection to Asterisk lost", now);
    }

    public List<CallCommand> onUserEvent(String eventName, Instant now) {
        if (eventName == null || !isLive()) {
            return List.of();
        }
        if (eventName.equals(settings.pauseUserEvent())) {
            return pause(TriggerKind.USER_EVENT, eventName, now);
        }
        if (eventName.equals(settings.resumeUserEvent())) {
            return resume(TriggerKind.USER_EVENT, eventName, now);
        }
        return List.of();
    }

    public List<CallCommand> onControl(UUID requestId, ControlAction action, String by, Instant now) {
        if (!isLive()) {
            return List.of(new ControlAnswered(requestId, "not_recording",
                    "the recording is " + state.name().toLowerCase()));
        }
        switch (action) {
            case PAUSE -> {
                if (state == State.PAUSED) {
                    return List.of(new ControlAnswered(requestId, "already_paused", null));
                }
                pendingRequests.add(new PendingRequest(requestId, action));
                return pause(TriggerKind.API, by, now);
            }
            case RESUME -> {
                if (state == State.RECORDING) {
                    return List.of(new ControlAnswered(requestId, "already_recording", null));
                }
                pendingRequests.add(new PendingRequest(requestId, action));
                return resume(TriggerKind.API, by, now);
            }
            default -> {
                List<CallCommand> out = new ArrayList<>(withdraw(TriggerKind.API, by, now));
                out.add(new ControlAnswered(requestId, "discarded", null));
                return out;
            }
        }
    }

    // ---- results and timers -------------------------------------------------------------------

    /** Returns null when the tag does not belong to this recording's control. */
    public List<CallCommand> onCommandResult(String tag, boolean ok, int status, Instant now) {
        if (!tag.equals(inFlightTag)) {
            return tag.startsWith("rc-") ? List.of() : null;
        }
        inFlightTag = null;
        List<CallCommand> out = new ArrayList<>();
        if (state == State.PAUSE_PENDING) {
            out.add(new CancelTimer(PAUSE_DEADLINE_TIMER));
            if (ok && reasserting) {
                // it was paused already as far as the timeline knows: nothing new to record
                reasserting = false;
                state = State.PAUSED;
                // a resume that arrived while the pause was re-asserted (an event held during the
                // resync after a restart) is acted on now, not lost
                if (resumeQueued) {
                    resumeQueued = false;
                    out.addAll(resume(TriggerKind.API, "queued resume", now));
                }
            } else if (ok) {
                state = State.PAUSED;
                pausedSince = now;
                out.add(new AppendTimeline(entry(Change.PAUSED, inFlightTrigger, inFlightDetail,
                        inFlightRequestedAt, now, now)));
                if (settings.hasMaxPause()) {
                    out.add(new StartTimer(MAX_PAUSE_TIMER, settings.maxPause()));
                }
                answer(out, ControlAction.PAUSE, "paused", null);
                if (resumeQueued) {
                    resumeQueued = false;
                    out.addAll(resume(TriggerKind.API, "queued resume", now));
                }
            } else {
                out.addAll(failClosed(now, "Asterisk refused the pause (HTTP " + status + ")"));
            }
        } else if (state == State.RESUME_PENDING) {
            if (ok) {
                state = State.RECORDING;
                cutMillis += cutSoFar(now);
                pausedSince = null;
                burstWindow.clear();
                out.add(new CancelTimer(MAX_PAUSE_TIMER));
                out.add(new AppendTimeline(entry(Change.RESUMED, inFlightTrigger, inFlightDetail,
                        inFlightRequestedAt, now, now)));
                answer(out, ControlAction.RESUME, "recording", null);
                if (pauseQueued != null) {
                    QueuedPause q = pauseQueued;
                    pauseQueued = null;
                    out.addAll(pause(q.trigger(), q.detail(), now));
                }
            } else {
                // a failed resume is safe for card data: stay paused and say so
                state = State.PAUSED;
                pauseQueued = null;
                out.add(new AppendTimeline(entry(Change.RESUME_FAILED, inFlightTrigger, inFlightDetail,
                        inFlightRequestedAt, null, now)));
                answer(out, ControlAction.RESUME, "resume_failed_still_paused",
                        "Asterisk refused the resume (HTTP " + status + "); the recording stays paused");
            }
        }
        return out;
    }

    /** Returns null when the timer does not belong to this recording's control. */
    public List<CallCommand> onTimer(String key, Instant now) {
        if (key.equals(PAUSE_DEADLINE_TIMER)) {
            if (state != State.PAUSE_PENDING) {
                return List.of();
            }
            inFlightTag = null;
            return failClosed(now, "Asterisk did not accept the pause within "
                    + settings.pauseDeadline().toMillis() + " ms");
        }
        if (key.equals(MAX_PAUSE_TIMER)) {
            if (state != State.PAUSED) {
                return List.of();
            }
            return resume(TriggerKind.MAX_PAUSE_ELAPSED,
                    "paused longer than " + settings.maxPause().toSeconds() + " s", now);
        }
        return null;
    }

    /** The recording finished (call hung up, or Asterisk ended it). */
    public List<CallCommand> onRecordingEnded(Instant now) {
        List<CallCommand> out = new ArrayList<>();
        if (state == State.DISCARDED || state == State.ENDED || ended) {
            return out;
        }
        ended = true;
        out.add(new CancelTimer(PAUSE_DEADLINE_TIMER));
        out.add(new CancelTimer(MAX_PAUSE_TIMER));
        if (state != State.STOPPED) {
            out.add(new AppendTimeline(entry(Change.ENDED, TriggerKind.HANGUP, null, now, now, now)));
        }
        for (PendingRequest p : pendingRequests) {
            out.add(new ControlAnswered(p.requestId(), "not_recording", "the recording ended"));
        }
        pendingRequests.clear();
        if (state != State.STOPPED) {
            // a fail-closed stop stays visible as such
            state = State.ENDED;
        }
        return out;
    }

    // ---- internals ----------------------------------------------------------------------------

    private List<CallCommand> pause(TriggerKind trigger, String detail, Instant now) {
        if (state == State.PAUSED || state == State.PAUSE_PENDING) {
            return List.of();
        }
        if (state == State.RESUME_PENDING) {
            // the resume is in flight; the pause is sent the moment Asterisk answers it
            pauseQueued = new QueuedPause(trigger, detail);
            return List.of();
        }
        state = State.PAUSE_PENDING;
        inFlightTag = "rc-pause-" + (++requestSeq);
        inFlightTrigger = trigger;
        inFlightDetail = detail;
        inFlightRequestedAt = now;
        currentStyle = nextPauseStyle();
        if (currentStyle == PauseStyle.SILENCE) {
            muteSpent = true;
        }
        // the pause request goes first: nothing (no database write) may delay it
        return List.of(
                new PauseRecording(inFlightTag, recordingName, currentStyle),
                new StartTimer(PAUSE_DEADLINE_TIMER, settings.pauseDeadline()));
    }

    private List<CallCommand> resume(TriggerKind trigger, String detail, Instant now) {
        if (state == State.RESUME_PENDING) {
            pauseQueued = null;
            return List.of();
        }
        if (state == State.PAUSE_PENDING) {
            resumeQueued = true;
            return List.of();
        }
        if (state != State.PAUSED) {
            return List.of();
        }
        state = State.RESUME_PENDING;
        inFlightTag = "rc-resume-" + (++requestSeq);
        inFlightTrigger = trigger;
        inFlightDetail = detail;
        inFlightRequestedAt = now;
        return List.of(new ResumeRecording(inFlightTag, recordingName, currentStyle));
    }

    private List<CallCommand> failClosed(Instant now, String reason) {
        state = State.STOPPED;
        List<CallCommand> out = new ArrayList<>();
        // stop keeps what was recorded before the payment; hanging up the snoop channel ends the
        // recording even if the stop request itself is stuck
        out.add(new StopRecording("rc-failclosed-stop", recordingName));
        out.add(new HangupSnoop("rc-failclosed-snoop", snoopId));
        out.add(new CancelTimer(MAX_PAUSE_TIMER));
        out.add(new AppendTimeline(entry(Change.PAUSE_FAILED_STOPPED, inFlightTrigger, reason,
                inFlightRequestedAt, null, now)));
        answer(out, ControlAction.PAUSE, "pause_failed_recording_stopped", reason);
        answer(out, ControlAction.RESUME, "not_recording", "the recording was stopped");
        return out;
    }

    private List<CallCommand> withdraw(TriggerKind trigger, String by, Instant now) {
        List<CallCommand> out = new ArrayList<>();
        out.add(new DiscardRecording("rc-discard", recordingName));
        out.add(new HangupSnoop("rc-discard-snoop", snoopId));
        out.add(new CancelTimer(PAUSE_DEADLINE_TIMER));
        out.add(new CancelTimer(MAX_PAUSE_TIMER));
        out.add(new AppendTimeline(entry(Change.WITHDRAWN_DISCARDED, trigger,
                trigger == TriggerKind.API ? by : null, now, now, now)));
        answer(out, ControlAction.PAUSE, "discarded", null);
        answer(out, ControlAction.RESUME, "discarded", null);
        state = State.DISCARDED;
        inFlightTag = null;
        withdrawal = new Withdrawal(trigger, by, now);
        return out;
    }

    private List<CallCommand> burstGuard(Instant now) {
        if (!settings.burstGuard() || state != State.RECORDING) {
            return List.of();
        }
        burstWindow.addLast(now);
        while (!burstWindow.isEmpty()
                && Duration.between(burstWindow.peekFirst(), now).compareTo(settings.burstWindow()) > 0) {
            burstWindow.removeFirst();
        }
        if (burstWindow.size() >= settings.burstDigits()) {
            burstWindow.clear();
            return pause(TriggerKind.DTMF_BURST, settings.burstDigits() + " digits within "
                    + settings.burstWindow().toMillis() + " ms", now);
        }
        return List.of();
    }

    private boolean endsWith(String sequence) {
        if (sequence == null || sequence.isEmpty() || sequenceBuffer.size() < sequence.length()) {
            return false;
        }
        Digit[] digits = sequenceBuffer.toArray(new Digit[0]);
        int offset = digits.length - sequence.length();
        for (int i = 0; i < sequence.length(); i++) {
            if (Character.toUpperCase(digits[offset + i].value()) != Character.toUpperCase(sequence.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private void answer(List<CallCommand> out, ControlAction action, String status, String detail) {
        pendingRequests.removeIf(p -> {
            if (p.action() == action) {
                out.add(new ControlAnswered(p.requestId(), status, detail));
                return true;
            }
            return false;
        });
    }

    /** The style the next pause will use: a mute only while none has been spent on this recording. */
    private PauseStyle nextPauseStyle() {
        return settings.pauseStyle() == PauseStyle.SILENCE && !muteSpent ? PauseStyle.SILENCE : PauseStyle.SKIP;
    }

    /** Time the current pause has cut out of the file so far (zero for a mute, which writes silence). */
    private long cutSoFar(Instant at) {
        if (currentStyle != PauseStyle.SKIP || pausedSince == null || !at.isAfter(pausedSince)) {
            return 0;
        }
        return Duration.between(pausedSince, at).toMillis();
    }

    /** Position in the recorded file: wall time since the start less what pauses cut out. */
    private long offsetAt(Instant at) {
        long wall = Math.max(0, Duration.between(startedAt, at).toMillis());
        return Math.max(0, wall - cutMillis - cutSoFar(at));
    }

    private TimelineEntry entry(Change change, TriggerKind trigger, String detail,
                                Instant requestedAt, Instant acceptedAt, Instant effectiveAt) {
        boolean aboutAPause = change == Change.PAUSED || change == Change.RESUMED
                || change == Change.RESUME_FAILED || change == Change.PAUSE_FAILED_STOPPED;
        // pause rows say how that pause was written; the others carry the configured style
        PauseStyle style = aboutAPause && currentStyle != null ? currentStyle : settings.pauseStyle();
        return new TimelineEntry(recordingName, change, trigger, detail, offsetAt(effectiveAt),
                requestedAt, acceptedAt, style);
    }
}
