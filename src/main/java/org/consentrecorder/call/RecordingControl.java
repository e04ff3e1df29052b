package org.consentrecorder.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.consentrecorder.call.CommandKey.RecordingEnd;
import org.consentrecorder.call.CommandKey.RecordingRequest;
import org.consentrecorder.call.TimelineEntry.Change;

/**
 * Control of one live recording while its call is in the dialplan, as an immutable value: payment
 * pause and resume from DTMF sequences, dialplan UserEvents, the API and the digit-burst safety
 * net; fail-closed stop when a pause is not accepted in time; stop-and-discard on withdrawal. Every
 * method returns the next value and the commands for the shell; nothing here does I/O. Digits stay
 * in {@link PaymentTriggers} and never appear in a command.
 *
 * <p>It exists apart from the call because a recording has its own life (started, paused, stopped,
 * ended) with its own timers and answers, and because its rules (the pause goes out before anything
 * else, a failed pause stops the recording) are the ones PCI DSS auditors read.
 *
 * <p>SILENCE style mutes a recording once at most: Asterisk releases before the fix for
 * asterisk/asterisk#322 (2023) never clear their "muted" flag on unmute, so a second mute is
 * answered 204 and ignored, and card data would be recorded. Every later pause of the same
 * recording uses ARI pause, whose state Asterisk tracks correctly on every release.
 *
 * <p>A stereo call ({@link #out()} set) has two recordings, one per direction, controlled as one:
 * every pause, resume, stop and discard goes to both legs under one request number; the recording
 * is paused (or recording again) only when both legs' answers say so; a pause either leg refuses
 * (or that is not accepted by the deadline) stops both, and hangs up both snoop channels; a resume
 * either leg refuses leaves both paused, with the pause re-asserted on both once every leg has
 * answered (a pause sent to a leg whose resume is still in flight could be applied before it).
 * The timeline has one row per change, for the call, not one per leg.
 */
public record RecordingControl(
        String recordingName,
        String snoopId,
        State state,
        int requestSeq,
        InFlight inFlight,
        Queued queued,
        RecordingClock clock,
        boolean ended,
        PaymentTriggers triggers,
        List<PendingRequest> pendingRequests,
        OutLeg out,
        int legsFinished) {

    /** Where the recording is, as seen from the application. */
    public enum State {
        RECORDING,
        PAUSE_PENDING,
        PAUSED,
        RESUME_PENDING,
        /** Stopped and kept (fail closed). */
        STOPPED,
        /** Stopped and discarded because the caller withdrew consent. */
        DISCARDED,
        ENDED
    }

    /** The second leg of a stereo call: what the caller hears, recorded through a spy=out snoop channel. */
    public record OutLeg(String recordingName, String snoopId) {
    }

    /**
     * The pause or resume Asterisk has not answered yet, and what caused it (for the timeline).
     *
     * @param legsAnswered the legs ({@link Leg#bit()}) that answered this request (stereo sends it to both)
     * @param legsRefused the legs that refused it (or gave no answer)
     * @param refusalStatus the lowest HTTP status of a refusal (0: a leg gave no answer); -1 while none
     */
    public record InFlight(RecordingRequest key, TriggerKind trigger, String detail, Instant requestedAt,
                           int legsAnswered, int legsRefused, int refusalStatus) {

        public InFlight(RecordingRequest key, TriggerKind trigger, String detail, Instant requestedAt) {
            this(key, trigger, detail, requestedAt, 0, 0, -1);
        }

        InFlight answeredBy(Leg leg, boolean ok, int status) {
            boolean refused = !ok;
            return new InFlight(key, trigger, detail, requestedAt, legsAnswered | leg.bit(),
                    refused ? legsRefused | leg.bit() : legsRefused,
                    refused ? (refusalStatus < 0 ? status : Math.min(refusalStatus, status)) : refusalStatus);
        }
    }

    /** A request waiting for the one in flight: a pause behind a resume, or a resume behind a pause. */
    public record Queued(ControlAction action, TriggerKind trigger, String detail) {
    }

    /** An API request waiting for Asterisk's answer. */
    public record PendingRequest(UUID requestId, ControlAction action) {
    }

    /** Why a withdrawal happened, so the call can write the "withdrawn" evidence. */
    public record Withdrawal(TriggerKind trigger, String by, Instant at) {
    }

    /** A step: the next value, the commands, and the withdrawal it caused, if any. */
    public record Step(RecordingControl control, List<CallCommand> commands, Optional<Withdrawal> withdrawal) {
        public Step {
            commands = List.copyOf(commands);
        }
    }

    public RecordingControl {
        pendingRequests = List.copyOf(pendingRequests);
    }

    /** A mono recording (and one saved before stereo existed). */
    public RecordingControl(String recordingName, String snoopId, State state, int requestSeq, InFlight inFlight,
                            Queued queued, RecordingClock clock, boolean ended, PaymentTriggers triggers,
                            List<PendingRequest> pendingRequests) {
        this(recordingName, snoopId, state, requestSeq, inFlight, queued, clock, ended, triggers, pendingRequests,
                null, 0);
    }

    /** A recording Asterisk has just accepted (its record request answered 201). */
    public static RecordingControl started(String recordingName, String snoopId, Instant startedAt) {
        return started(recordingName, snoopId, null, startedAt);
    }

    /** A recording Asterisk has just accepted, on both legs when out is set (stereo). */
    public static RecordingControl started(String recordingName, String snoopId, OutLeg out, Instant startedAt) {
        return new RecordingControl(recordingName, snoopId, State.RECORDING, 0, null, null,
                RecordingClock.startingAt(startedAt), false, PaymentTriggers.none(), List.of(), out, 0);
    }

    public boolean stereo() {
        return out != null;
    }

    /** The legs of this recording, in channel order. */
    public List<Leg> legs() {
        return stereo() ? List.of(Leg.IN, Leg.OUT) : List.of(Leg.IN);
    }

    /** The recording name of a leg. */
    public String recordingNameOf(Leg leg) {
        return leg == Leg.IN ? recordingName : out.recordingName();
    }

    /** The snoop channel of a leg. */
    public String snoopIdOf(Leg leg) {
        return leg == Leg.IN ? snoopId : out.snoopId();
    }

    /** The leg a recording name belongs to, if it is one of this recording's. */
    public Optional<Leg> legOf(String name) {
        for (Leg leg : legs()) {
            if (recordingNameOf(leg).equals(name)) {
                return Optional.of(leg);
            }
        }
        return Optional.empty();
    }

    private int allLegs() {
        return stereo() ? Leg.ALL_STEREO : Leg.IN.bit();
    }

    /** Whether every leg has reported its end (RecordingFinished or RecordingFailed). */
    public boolean allLegsFinished() {
        return legsFinished == allLegs();
    }

    /** The same recording with one more leg's end reported. */
    RecordingControl withLegFinished(Leg leg) {
        return new RecordingControl(recordingName, snoopId, state, requestSeq, inFlight, queued, clock, ended, triggers,
                pendingRequests, out, legsFinished | leg.bit());
    }

    public boolean isPaused() {
        return state == State.PAUSED || state == State.PAUSE_PENDING || state == State.RESUME_PENDING;
    }

    /** True while Asterisk may still be writing this recording. */
    public boolean isLive() {
        return !ended && state != State.STOPPED && state != State.DISCARDED && state != State.ENDED;
    }

    /** The first timeline row: recording started at offset 0. */
    public List<CallCommand> startedRow(RecordingSettings s) {
        Instant at = clock.startedAt();
        return List.of(new AppendTimeline(row(s, Change.STARTED, null, null, at, at, at)));
    }

    // ---- triggers ----------------------------------------------------------------------------

    public Step onDigit(RecordingSettings s, char digit, Instant now) {
        if (!isLive()) {
            return unchanged();
        }
        PaymentTriggers.Result r = triggers.onDigit(s, digit, now, state == State.RECORDING);
        RecordingControl c = with(state, inFlight, queued, clock, r.triggers(), pendingRequests);
        List<CallCommand> out = new ArrayList<>();
        return switch (r.match()) {
            case WITHDRAW -> c.withdraw(s, now, out);
            case PAUSE -> c.pause(s, TriggerKind.DTMF_SEQUENCE, "pause sequence", now, out).step(out);
            case RESUME -> c.resume(TriggerKind.DTMF_SEQUENCE, "resume sequence", now, out).step(out);
            case BURST -> c.pause(s, TriggerKind.DTMF_BURST, s.burstDigits() + " digits within "
                    + s.burstWindow().toMillis() + " ms", now, out).step(out);
            case NONE -> c.step(out);
        };
    }

    /**
     * The event connection to Asterisk is gone: a payment trigger raised now would never reach us
     * (ARI replays nothing), so the recording is paused until an explicit resume.
     */
    public Step onOutage(RecordingSettings s, Instant now) {
        if (!isLive()) {
            return unchanged();
        }
        List<CallCommand> out = new ArrayList<>();
        return pause(s, TriggerKind.ARI_OUTAGE, "event connection to Asterisk lost", now, out).step(out);
    }

    public Step onUserEvent(RecordingSettings s, String eventName, Instant now) {
        if (eventName == null || !isLive()) {
            return unchanged();
        }
        List<CallCommand> out = new ArrayList<>();
        if (eventName.equals(s.pauseUserEvent())) {
            return pause(s, TriggerKind.USER_EVENT, eventName, now, out).step(out);
        }
        if (eventName.equals(s.resumeUserEvent())) {
            return resume(TriggerKind.USER_EVENT, eventName, now, out).step(out);
        }
        return unchanged();
    }

    public Step onControl(RecordingSettings s, UUID requestId, ControlAction action, String by, Instant now) {
        List<CallCommand> out = new ArrayList<>();
        if (!isLive()) {
            out.add(new ControlAnswered(requestId, ControlStatus.NOT_RECORDING,
                    "the recording is " + state.name().toLowerCase(Locale.ROOT)));
            return step(out);
        }
        if (action == ControlAction.STOP) {
            RecordingControl stopped = discard(s, Change.STOPPED_BY_OPERATOR, TriggerKind.API, by, now, out);
            out.add(new ControlAnswered(requestId, ControlStatus.DISCARDED, null));
            return stopped.step(out);
        }
        if (action == ControlAction.PAUSE && state == State.PAUSED) {
            out.add(new ControlAnswered(requestId, ControlStatus.ALREADY_PAUSED, null));
            return step(out);
        }
        if (action == ControlAction.RESUME && state == State.RECORDING) {
            out.add(new ControlAnswered(requestId, ControlStatus.ALREADY_RECORDING, null));
            return step(out);
        }
        List<PendingRequest> pending = new ArrayList<>(pendingRequests);
        pending.add(new PendingRequest(requestId, action));
        RecordingControl c = with(state, inFlight, queued, clock, triggers, pending);
        return (action == ControlAction.PAUSE ? c.pause(s, TriggerKind.API, by, now, out)
                : c.resume(TriggerKind.API, by, now, out)).step(out);
    }

    // ---- answers and timers ------------------------------------------------------------------

    /** Asterisk answered a pause, resume or re-asserted pause; a late answer changes nothing. */
    public Step onResult(RecordingSettings s, RecordingRequest key, boolean ok, int status, Instant now) {
        if (inFlight == null || !inFlight.key().sameRequest(key) || (inFlight.legsAnswered() & key.leg().bit()) != 0
                || !legs().contains(key.leg())) {
            return unchanged();
        }
        InFlight f = inFlight.answeredBy(key.leg(), ok, status);
        List<CallCommand> out = new ArrayList<>();
        if (state == State.PAUSE_PENDING && ok && f.legsAnswered() != allLegs()) {
            // stereo: paused only when both legs are; the deadline still runs for the other
            return with(state, f, queued, clock, triggers, pendingRequests).step(out);
        }
        if (state == State.RESUME_PENDING && f.legsAnswered() != allLegs()) {
            // stereo: wait for every leg's answer before deciding (a pause re-asserted on a leg whose
            // resume is still in flight could be applied before it)
            return with(state, f, queued, clock, triggers, pendingRequests).step(out);
        }
        if (state == State.RESUME_PENDING && f.legsRefused() != 0) {
            ok = false;
            status = f.refusalStatus();
        }
        if (state == State.PAUSE_PENDING) {
            out.add(new CancelTimer(TimerKey.PAUSE_DEADLINE));
            if (!ok) {
                return failClosed(s, f, now, "Asterisk refused the pause" + (stereo() ? " of the " + key.leg().spy()
                        + " leg" : "") + " (HTTP " + status + ")", out).step(out);
            }
            RecordingControl c;
            if (f.key().kind() == RecordingRequest.Kind.REASSERT) {
                // paused already as far as the timeline knows: nothing new to write
                c = with(State.PAUSED, null, queued, clock, triggers, pendingRequests);
            } else {
                c = with(State.PAUSED, null, queued, clock.pausedAt(now), triggers, pendingRequests);
                out.add(new AppendTimeline(c.row(s, Change.PAUSED, f.trigger(), f.detail(), f.requestedAt(), now, now)));
                if (s.hasMaxPause()) {
                    out.add(new StartTimer(TimerKey.MAX_PAUSE, s.maxPause()));
                }
            }
            c = c.answer(ControlAction.PAUSE, ControlStatus.PAUSED, null, out);
            if (c.queued() != null && c.queued().action() == ControlAction.RESUME) {
                c = c.with(c.state, null, null, c.clock, c.triggers, c.pendingRequests)
                        .resume(TriggerKind.API, "queued resume", now, out);
            }
            return c.step(out);
        }
        if (state == State.RESUME_PENDING && ok) {
            RecordingControl c = with(State.RECORDING, null, queued, clock.resumedAt(now), triggers.withoutBurst(),
                    pendingRequests);
            out.add(new CancelTimer(TimerKey.MAX_PAUSE));
            out.add(new AppendTimeline(c.row(s, Change.RESUMED, f.trigger(), f.detail(), f.requestedAt(), now, now)));
            c = c.answer(ControlAction.RESUME, ControlStatus.RECORDING, null, out);
            Queued q = c.queued();
            if (q != null && q.action() == ControlAction.PAUSE) {
                c = c.with(c.state, null, null, c.clock, c.triggers, c.pendingRequests)
                        .pause(s, q.trigger(), q.detail(), now, out);
            }
            return c.step(out);
        }
        if (state == State.RESUME_PENDING) {
            // a refused resume is safe for card data: stay paused and say so
            RecordingControl c = with(State.PAUSED, null, null, clock, triggers, pendingRequests);
            out.add(new AppendTimeline(c.row(s, Change.RESUME_FAILED, f.trigger(), f.detail(), f.requestedAt(), null, now)));
            c = c.answer(ControlAction.RESUME, ControlStatus.RESUME_FAILED_STILL_PAUSED,
                    "Asterisk refused the resume (HTTP " + status + "); the recording stays paused", out);
            if (status == 0 || f.legsRefused() != allLegs()) {
                // no answer at all: Asterisk may have resumed all the same, so pause again (harmless if it
                // did not); in stereo, a leg that accepted the resume records again and is paused again
                return c.reassert(s, f.trigger(), "re-asserted: the resume got no answer", now, out).step(out);
            }
            return c.step(out);
        }
        return with(state, null, queued, clock, triggers, pendingRequests).step(out);
    }

    /** One of the recording's own timers ({@link TimerKey#ofRecording()}) fired. */
    public Step onTimer(RecordingSettings s, TimerKey key, Instant now) {
        List<CallCommand> out = new ArrayList<>();
        if (key == TimerKey.PAUSE_DEADLINE && state == State.PAUSE_PENDING) {
            return failClosed(s, inFlight, now, "Asterisk did not accept the pause within "
                    + s.pauseDeadline().toMillis() + " ms", out).step(out);
        }
        if (key == TimerKey.MAX_PAUSE && state == State.PAUSED) {
            return resume(TriggerKind.MAX_PAUSE_ELAPSED, "paused longer than " + s.maxPause().toSeconds() + " s",
                    now, out).step(out);
        }
        return unchanged();
    }

    /** The recording finished (call hung up, or Asterisk ended it). */
    public Step onRecordingEnded(RecordingSettings s, Instant now) {
        if (state == State.DISCARDED || state == State.ENDED || ended) {
            return unchanged();
        }
        List<CallCommand> out = new ArrayList<>();
        out.add(new CancelTimer(TimerKey.PAUSE_DEADLINE));
        out.add(new CancelTimer(TimerKey.MAX_PAUSE));
        if (state != State.STOPPED) {
            out.add(new AppendTimeline(row(s, Change.ENDED, TriggerKind.HANGUP, null, now, now, now)));
        }
        for (PendingRequest p : pendingRequests) {
            out.add(new ControlAnswered(p.requestId(), ControlStatus.NOT_RECORDING, "the recording ended"));
        }
        // a fail-closed stop stays visible as such
        State next = state == State.STOPPED ? State.STOPPED : State.ENDED;
        return new RecordingControl(recordingName, snoopId, next, requestSeq, inFlight, queued, clock, true, triggers,
                List.of(), this.out, legsFinished).step(out);
    }

    // ---- internals ----------------------------------------------------------------------------

    private RecordingControl pause(RecordingSettings s, TriggerKind trigger, String detail, Instant now,
                                   List<CallCommand> out) {
        if (state == State.PAUSED) {
            return this;
        }
        if (state == State.PAUSE_PENDING) {
            // the latest trigger wins: a resume queued behind this pause is cancelled
            return queued == null ? this : with(state, inFlight, null, clock, triggers, pendingRequests);
        }
        if (state == State.RESUME_PENDING) {
            // the resume is in flight; the pause is sent the moment Asterisk answers it (two requests
            // in flight at once could be applied in either order, and the resume could win)
            return with(state, inFlight, new Queued(ControlAction.PAUSE, trigger, detail), clock, triggers,
                    pendingRequests);
        }
        RecordingRequest key = new RecordingRequest(requestSeq + 1, RecordingRequest.Kind.PAUSE);
        RecordingClock next = clock.nextPause(s);
        // the pause requests go first: nothing (no database write) may delay them
        for (Leg leg : legs()) {
            out.add(new PauseRecording(key.to(leg), recordingNameOf(leg), next.style()));
        }
        out.add(new StartTimer(TimerKey.PAUSE_DEADLINE, s.pauseDeadline()));
        return new RecordingControl(recordingName, snoopId, State.PAUSE_PENDING, key.seq(),
                new InFlight(key, trigger, detail, now), queued, next, ended, triggers, pendingRequests, this.out,
                legsFinished);
    }

    /**
     * Pauses a recording that is paused as far as we know, in the style of its pause, when what
     * Asterisk did is not certain; its answer writes no new timeline row.
     */
    RecordingControl reassert(RecordingSettings s, TriggerKind trigger, String detail, Instant now,
                                      List<CallCommand> out) {
        RecordingRequest key = new RecordingRequest(requestSeq + 1, RecordingRequest.Kind.REASSERT);
        for (Leg leg : legs()) {
            out.add(new PauseRecording(key.to(leg), recordingNameOf(leg), clock.style()));
        }
        out.add(new StartTimer(TimerKey.PAUSE_DEADLINE, s.pauseDeadline()));
        return new RecordingControl(recordingName, snoopId, State.PAUSE_PENDING, key.seq(),
                new InFlight(key, trigger, detail, now), queued, clock, ended, triggers, pendingRequests, this.out,
                legsFinished);
    }

    private RecordingControl resume(TriggerKind trigger, String detail, Instant now, List<CallCommand> out) {
        if (state == State.RESUME_PENDING) {
            return with(state, inFlight, null, clock, triggers, pendingRequests);
        }
        if (state == State.PAUSE_PENDING) {
            return with(state, inFlight, new Queued(ControlAction.RESUME, trigger, detail), clock, triggers,
                    pendingRequests);
        }
        if (state != State.PAUSED) {
            return this;
        }
        RecordingRequest key = new RecordingRequest(requestSeq + 1, RecordingRequest.Kind.RESUME);
        for (Leg leg : legs()) {
            out.add(new ResumeRecording(key.to(leg), recordingNameOf(leg), clock.style()));
        }
        return new RecordingControl(recordingName, snoopId, State.RESUME_PENDING, key.seq(),
                new InFlight(key, trigger, detail, now), queued, clock, ended, triggers, pendingRequests, this.out,
                legsFinished);
    }

    private RecordingControl failClosed(RecordingSettings s, InFlight f, Instant now, String reason,
                                        List<CallCommand> out) {
        // stop keeps what was recorded before the payment; hanging up the snoop channel ends the
        // recording even if the stop request itself is stuck
        for (Leg leg : legs()) {
            out.add(new StopRecording(RecordingEnd.FAIL_CLOSED_STOP, recordingNameOf(leg)));
            out.add(new HangupSnoop(RecordingEnd.FAIL_CLOSED_SNOOP, snoopIdOf(leg)));
        }
        out.add(new CancelTimer(TimerKey.MAX_PAUSE));
        out.add(new AppendTimeline(row(s, Change.PAUSE_FAILED_STOPPED, f.trigger(), reason, f.requestedAt(), null, now)));
        return with(State.STOPPED, null, queued, clock, triggers, pendingRequests)
                .answer(ControlAction.PAUSE, ControlStatus.PAUSE_FAILED_RECORDING_STOPPED, reason, out)
                .answer(ControlAction.RESUME, ControlStatus.NOT_RECORDING, "the recording was stopped", out);
    }

    /**
     * The caller's own withdraw sequence: the only way a withdrawal (the "withdrawn" evidence and
     * "do not record") comes about during a call.
     */
    private Step withdraw(RecordingSettings s, Instant now, List<CallCommand> out) {
        RecordingControl c = discard(s, Change.WITHDRAWN_DISCARDED, TriggerKind.DTMF_SEQUENCE, null, now, out);
        return new Step(c, out, Optional.of(new Withdrawal(TriggerKind.DTMF_SEQUENCE, "caller", now)));
    }

    /** Stop and discard the recording; answers the requests waiting on it. */
    private RecordingControl discard(RecordingSettings s, Change change, TriggerKind trigger, String detail,
                                     Instant now, List<CallCommand> out) {
        for (Leg leg : legs()) {
            out.add(new DiscardRecording(RecordingEnd.DISCARD, recordingNameOf(leg)));
            out.add(new HangupSnoop(RecordingEnd.DISCARD_SNOOP, snoopIdOf(leg)));
        }
        out.add(new CancelTimer(TimerKey.PAUSE_DEADLINE));
        out.add(new CancelTimer(TimerKey.MAX_PAUSE));
        out.add(new AppendTimeline(row(s, change, trigger, detail, now, now, now)));
        RecordingControl c = answer(ControlAction.PAUSE, ControlStatus.DISCARDED, null, out)
                .answer(ControlAction.RESUME, ControlStatus.DISCARDED, null, out);
        return c.with(State.DISCARDED, null, c.queued, c.clock, c.triggers, c.pendingRequests);
    }

    private RecordingControl answer(ControlAction action, ControlStatus status, String detail, List<CallCommand> out) {
        List<PendingRequest> left = new ArrayList<>();
        for (PendingRequest p : pendingRequests) {
            if (p.action() == action) {
                out.add(new ControlAnswered(p.requestId(), status, detail));
            } else {
                left.add(p);
            }
        }
        return with(state, inFlight, queued, clock, triggers, left);
    }

    private TimelineEntry row(RecordingSettings s, Change change, TriggerKind trigger, String detail,
                              Instant requestedAt, Instant acceptedAt, Instant effectiveAt) {
        return clock.entry(s, recordingName, change, trigger, detail, requestedAt, acceptedAt, effectiveAt);
    }

    RecordingControl with(State st, InFlight f, Queued q, RecordingClock c, PaymentTriggers t,
                                  List<PendingRequest> p) {
        return new RecordingControl(recordingName, snoopId, st, requestSeq, f, q, c, ended, t, p, out, legsFinished);
    }

    Step step(List<CallCommand> out) {
        return new Step(this, out, Optional.empty());
    }

    private Step unchanged() {
        return new Step(this, List.of(), Optional.empty());
    }
}
