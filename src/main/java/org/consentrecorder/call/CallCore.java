package org.consentrecorder.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallEvent.AriConnectivity;
import org.consentrecorder.call.CallEvent.ChannelDestroyed;
import org.consentrecorder.call.CallEvent.CommandFailed;
import org.consentrecorder.call.CallEvent.CommandSucceeded;
import org.consentrecorder.call.CallEvent.ControlRequested;
import org.consentrecorder.call.CallEvent.DtmfReceived;
import org.consentrecorder.call.CallEvent.HangupRequested;
import org.consentrecorder.call.CallEvent.PlaybackFinished;
import org.consentrecorder.call.CallEvent.PlaybackStarted;
import org.consentrecorder.call.CallEvent.PreferenceLoaded;
import org.consentrecorder.call.CallEvent.RecordingFailed;
import org.consentrecorder.call.CallEvent.RecordingFinished;
import org.consentrecorder.call.CallEvent.RecordingStarted;
import org.consentrecorder.call.CallEvent.SnoopEnteredStasis;
import org.consentrecorder.call.CallEvent.SnoopLeftStasis;
import org.consentrecorder.call.CallEvent.StasisEnded;
import org.consentrecorder.call.CallEvent.Started;
import org.consentrecorder.call.CallEvent.TakenOver;
import org.consentrecorder.call.CallEvent.TimerFired;
import org.consentrecorder.call.CallEvent.UserEvent;
import org.consentrecorder.call.CommandKey.CallStep;
import org.consentrecorder.call.CommandKey.PlayPrompt;
import org.consentrecorder.call.CommandKey.RecordingEnd;
import org.consentrecorder.call.CommandKey.RecordingRequest;
import org.consentrecorder.call.CommandKey.SetChannelVariable;
import org.consentrecorder.call.CommandKey.StopPrompt;

/**
 * The life of one inbound call as a function: {@code next(state, event, now) -> (state, commands)}.
 * No I/O, no mutable state: the settings are fixed, the state is an immutable {@link CallState},
 * and time comes in with the event. This class only routes each event to the concern it belongs
 * to ({@link ConsentDialogue}, {@link Decision}, {@link RecordingSetup}, {@link Handback},
 * {@link RecordingControl}, {@link CallEnding}); the shell ({@link CallSession}) carries out the
 * commands.
 *
 * <p>Ids are derived from the call id ({@link CallIds}), so they are known before a request is
 * sent: events that overtake a response (snoop StasisStart, PlaybackStarted) can be routed.
 */
public final class CallCore implements CallLogic {

    /** The next state and the commands for the shell, in the order they must be started. */
    public record Next(CallState state, List<CallCommand> commands) {
        public Next {
            commands = List.copyOf(commands);
        }
    }

    private final CallSettings settings;

    public CallCore(CallSettings settings) {
        this.settings = settings;
    }

    @Override
    public Next next(CallState state, CallEvent event, Instant now) {
        if (state.ended()) {
            return new Next(state, List.of());
        }
        List<CallCommand> out = new ArrayList<>();
        CallState next = on(state, event, now, out);
        return new Next(next, out);
    }

    private CallState on(CallState s, CallEvent event, Instant now, List<CallCommand> out) {
        CallSettings cfg = settings;
        if (event instanceof Started e) {
            return ConsentDialogue.start(cfg, s, e, now, out);
        } else if (event instanceof PreferenceLoaded e) {
            return ConsentDialogue.onPreference(cfg, s, e.doNotRecord(), out);
        } else if (event instanceof PlaybackStarted e) {
            return ConsentDialogue.onPlaybackStarted(s, e.playbackId(), now, out);
        } else if (event instanceof PlaybackFinished e) {
            return ConsentDialogue.onPlaybackFinished(cfg, s, e.playbackId(), e.failed(), now, out);
        } else if (event instanceof DtmfReceived e) {
            return s.recording() != null
                    ? applyRecording(s, s.recording().onDigit(cfg.recording(), e.digit(), now), out)
                    : ConsentDialogue.onDigit(cfg, s, e.digit(), now, out);
        } else if (event instanceof HangupRequested || event instanceof ChannelDestroyed) {
            return CallEnding.onHangup(cfg, s, now, out);
        } else if (event instanceof StasisEnded) {
            return CallEnding.onStasisEnded(cfg, s, now, out);
        } else if (event instanceof TimerFired e) {
            return onTimer(s, e.key(), now, out);
        } else if (event instanceof CommandSucceeded e) {
            return onResult(s, e.key(), true, 200, now, out);
        } else if (event instanceof CommandFailed e) {
            return onResult(s, e.key(), false, e.status(), now, out);
        } else if (event instanceof SnoopEnteredStasis e) {
            return RecordingSetup.onSnoopInStasis(cfg, s, e.snoopId(), out);
        } else if (event instanceof RecordingStarted e) {
            // the 201 of the record request is what counts; a stereo call keeps the legs' start times
            return RecordingSetup.onRecordingStarted(s, e.name(), e.at(), out);
        } else if (event instanceof SnoopLeftStasis) {
            // the recording reports its own end
            return s;
        } else if (event instanceof RecordingFinished e) {
            return CallEnding.onRecordingEnded(cfg, s, e.name(), e.durationSeconds(), now, out);
        } else if (event instanceof RecordingFailed e) {
            return CallEnding.onRecordingEnded(cfg, s, e.name(), null, now, out);
        } else if (event instanceof UserEvent e) {
            // from the moment the recording runs: the dialplan may raise PaymentStart before
            // Asterisk has even answered our continue
            return s.recording() == null ? s
                    : applyRecording(s, s.recording().onUserEvent(cfg.recording(), e.name(), now), out);
        } else if (event instanceof ControlRequested e) {
            return onControl(s, e, now, out);
        } else if (event instanceof AriConnectivity e) {
            CallState n = s.withAriDown(!e.up());
            if (!e.up() && n.recording() != null && cfg.recording().pauseOnOutage()) {
                return applyRecording(n, n.recording().onOutage(cfg.recording(), now), out);
            }
            return n;
        } else if (event instanceof TakenOver e) {
            return takenOver(s, e, now, out);
        }
        // unreachable while every event above is handled; the shell fails closed on it
        throw new IllegalArgumentException("no rule for " + event.getClass().getSimpleName());
    }

    private CallState onResult(CallState s, CommandKey key, boolean ok, int status, Instant now,
                               List<CallCommand> out) {
        CallSettings cfg = settings;
        if (key instanceof RecordingRequest r) {
            if (s.recording() == null) {
                return s;
            }
            RecordingControl.Step step = s.recording().onResult(cfg.recording(), r, ok, status, now);
            CallState n = applyRecording(s, step, out);
            if (!step.commands().isEmpty()) {
                out.add(new SaveState(CallStateSnapshot.of(n)));
            }
            return n;
        } else if (key instanceof RecordingEnd) {
            // a stop or hang-up that ends a recording: its answer changes nothing
            return s;
        } else if (key instanceof PlayPrompt p) {
            return ConsentDialogue.onPlayResult(cfg, s, p, ok, status, now, out);
        } else if (key instanceof StopPrompt p) {
            return ConsentDialogue.onStopResult(cfg, s, p, ok, status, out);
        } else if (key instanceof SetChannelVariable) {
            return Handback.onVariableResult(cfg, s, out);
        } else if (key instanceof CallStep step) {
            return switch (step) {
                case ANSWER -> ConsentDialogue.onAnswerResult(cfg, s, ok, status, now, out);
                case DECISION -> Decision.onEvidenceResult(cfg, s, ok, now, out);
                case SUBSCRIBE -> RecordingSetup.onSubscribeResult(cfg, s, ok, status, out);
                case SNOOP -> RecordingSetup.onSnoopResult(cfg, s, Leg.IN, ok, status, out);
                case SNOOP_OUT -> RecordingSetup.onSnoopResult(cfg, s, Leg.OUT, ok, status, out);
                case RECORD -> RecordingSetup.onRecordResult(cfg, s, Leg.IN, ok, status, now, out);
                case RECORD_OUT -> RecordingSetup.onRecordResult(cfg, s, Leg.OUT, ok, status, now, out);
                case CONTINUE -> Handback.onContinueResult(cfg, s, ok, status, now, out);
                case WITHDRAWAL, SNOOP_CLEANUP, TEARDOWN_STOP, TEARDOWN_SNOOP -> s;
            };
        }
        throw new IllegalArgumentException("no rule for " + key.getClass().getSimpleName());
    }

    private CallState onTimer(CallState s, TimerKey key, Instant now, List<CallCommand> out) {
        CallSettings cfg = settings;
        return switch (key) {
            case PAUSE_DEADLINE, MAX_PAUSE -> {
                if (s.recording() == null) {
                    yield s;
                }
                RecordingControl.Step step = s.recording().onTimer(cfg.recording(), key, now);
                CallState n = applyRecording(s, step, out);
                if (!step.commands().isEmpty()) {
                    // a fail-closed stop is durable at once: a restarted process stops it again
                    out.add(new SaveState(CallStateSnapshot.of(n)));
                }
                yield n;
            }
            case NO_INPUT, PROMPT_GUARD, REGRANT -> ConsentDialogue.onTimer(cfg, s, key, now, out);
            case SNOOP -> RecordingSetup.onSnoopTimer(s, out);
            case CONTINUE_RETRY -> Handback.onRetryTimer(cfg, s, out);
            case TEARDOWN -> CallEnding.onTeardownTimer(cfg, s, now, out);
        };
    }

    private CallState onControl(CallState s, ControlRequested e, Instant now, List<CallCommand> out) {
        if (s.recording() == null) {
            out.add(new ControlAnswered(e.requestId(), ControlStatus.NOT_RECORDING,
                    s.outcome() == null ? "the caller has not decided yet" : "this call is not being recorded"));
            return s;
        }
        return applyRecording(s, s.recording().onControl(settings.recording(), e.requestId(), e.action(),
                e.requestedBy(), now), out);
    }

    /**
     * A call another process (or this one before a restart) left in the dialplan with a recording:
     * it continues from its saved state; the recording learns what Asterisk says about it now.
     */
    private CallState takenOver(CallState s, TakenOver e, Instant now, List<CallCommand> out) {
        if (s.recording() == null || (s.phase() != CallPhase.IN_DIALPLAN && s.phase() != CallPhase.ENDING)) {
            return s;
        }
        CallState n = s.withPhase(CallPhase.IN_DIALPLAN).withStasisEnded(true).withChannelGone(false)
                .withAriDown(false);
        return applyRecording(n, RecordingTakeover.takenOver(n.recording(), settings.recording(), e.pausedOnAsterisk(), now), out);
    }

    /** The recording's step becomes the call's; a withdrawal is written as evidence. */
    private static CallState applyRecording(CallState s, RecordingControl.Step step, List<CallCommand> out) {
        out.addAll(step.commands());
        CallState n = s.withRecording(step.control());
        if (step.withdrawal().isPresent()) {
            out.add(new RecordDecision(CallStep.WITHDRAWAL, Decision.withdrawn(n, step.withdrawal().get())));
            out.add(new SaveState(CallStateSnapshot.of(n)));
        }
        return n;
    }
}
