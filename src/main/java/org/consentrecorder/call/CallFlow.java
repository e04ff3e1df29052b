package org.consentrecorder.call;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.Answer;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.Continue;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.Finished;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.LoadPreference;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.SetVariable;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopPlayback;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CallCommand.Subscribe;
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
import org.consentrecorder.call.CallEvent.TimerFired;
import org.consentrecorder.call.CallEvent.UserEvent;

/**
 * The life of one inbound call, as a pure state machine: events in, commands out, no I/O.
 *
 * <p>Consent IVR: answer, play the notice and the choice prompt (barge-in allowed), take the key
 * or the silence, decide. Then stop any prompt still playing (Asterisk holds channel commands,
 * {@code continue} included, until the playback ends), write the evidence, and when recording is
 * allowed: subscribe to the channel (otherwise its events stop at StasisEnd), snoop, wait for the
 * snoop channel to enter Stasis, record it. Finally set CONSENT_* variables and continue in the
 * dialplan. While the call is in the dialplan a {@link RecordingControl} handles payment pause.
 *
 * <p>Ids are derived from the call id, so they are deterministic and known before a request is
 * sent: events that overtake a response (snoop StasisStart, PlaybackStarted) can be routed.
 */
public final class CallFlow {
    public static final String NO_INPUT_TIMER = "no-input";
    public static final String PROMPT_GUARD_TIMER = "prompt-guard";
    public static final String SNOOP_TIMER = "snoop";
    public static final String TEARDOWN_TIMER = "teardown";
    public static final String CONTINUE_RETRY_TIMER = "continue-retry";
    public static final String REGRANT_TIMER = "regrant";

    public static final String VAR_OUTCOME = "CONSENT_OUTCOME";
    public static final String VAR_CONSENT_ID = "CONSENT_ID";
    public static final String VAR_RECORDING = "CONSENT_RECORDING";

    private static final int MAX_KEYS_KEPT = 32;

    /** Where the call is; stored with the durable state. */
    public enum Phase {
        NEW, ANSWERING, PROMPTING, WAITING_FOR_KEY, INFORMING, CLOSING, SETTING_UP_RECORDING,
        SETTING_VARIABLES, CONTINUING, IN_DIALPLAN, ENDING, ENDED
    }

    private enum PromptKind { NOTICE, CHOICE, INVALID, NOT_RECORDED }

    private final CallSettings settings;
    private final UUID callId;
    private final UUID consentId;
    private final String idPrefix;

    private Phase phase = Phase.NEW;
    private ChannelSnapshot channel;
    private String asteriskId;
    private NoticeSet notice;
    private String subject;
    private Instant startedAt;

    private boolean answered;
    private boolean preferenceKnown;
    private boolean doNotRecordOnFile;
    private boolean channelGone;
    private boolean stasisEnded;

    private int playbackSeq;
    private String currentPlayback;
    private PromptKind currentKind;
    private boolean playInvalidAfterStop;
    private final List<String> playedUris = new ArrayList<>();
    private Instant noticeStartedAt;
    private boolean noticeCompleted;
    private int attempts;
    private final StringBuilder keys = new StringBuilder();

    private Outcome outcome;
    private ConsentEvidence decision;
    private Instant decidedAt;
    private boolean decisionWritten;
    private boolean decisionFailed;
    private boolean finalStopPending;

    private String snoopId;
    private boolean snoopAnswered;
    private boolean snoopInStasis;
    private boolean recordRequested;
    private String recordingName;
    private RecordingControl recording;
    private boolean recordingEnded;
    private String recordingFailure;
    private int pendingVariables;
    private int continueAttempts;
    private boolean ariDown;

    public CallFlow(CallSettings settings, UUID callId, UUID consentId) {
        this.settings = settings;
        this.callId = callId;
        this.consentId = consentId;
        this.idPrefix = "cr-" + callId;
    }

    /**
     * Takes over a recorded call that is already in the dialplan (after a restart): its decision
     * as stored, and its recording as Asterisk and the timeline describe it.
     */
    public static CallFlow adopt(CallSettings settings, ConsentEvidence decision, String channelName,
                                 String asteriskId, Instant startedAt, RecordingControl recording, String snoopId) {
        CallFlow f = new CallFlow(settings, decision.callId(), decision.id());
        f.channel = new ChannelSnapshot(decision.channelId(), channelName, decision.callerNumber(),
                decision.callerName(), decision.dialledNumber(), decision.language(), decision.linkedId());
        f.asteriskId = asteriskId;
        f.startedAt = startedAt;
        f.notice = settings.ivr().notices().byId(decision.noticeSetId()).orElse(settings.ivr().notices().defaultSet());
        f.subject = decision.callerSubject();
        f.outcome = decision.outcome();
        f.decision = decision;
        f.decidedAt = decision.decidedAt();
        f.decisionWritten = true;
        f.answered = true;
        f.preferenceKnown = true;
        f.stasisEnded = true;
        f.snoopId = snoopId;
        f.recordRequested = true;
        f.recordingName = recording.recordingName();
        f.recording = recording;
        f.phase = Phase.IN_DIALPLAN;
        return f;
    }

    public UUID callId() {
        return callId;
    }

    /** True while a snoop channel of this call may legitimately exist. */
    public boolean snoopExpected() {
        return phase == Phase.SETTING_UP_RECORDING
                || (recording != null && recording.isLive() && phase != Phase.ENDED);
    }

    public Phase phase() {
        return phase;
    }

    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    public Optional<RecordingControl> recording() {
        return Optional.ofNullable(recording);
    }

    /** Why recording was wanted but not started, if that happened. */
    public Optional<String> recordingFailure() {
        return Optional.ofNullable(recordingFailure);
    }

    /** The snoop channel id this call uses (or will use) when recorded. */
    public String snoopChannelId() {
        return idPrefix + "-snoop";
    }

    /** The name of the recording this call uses (or will use) when recorded. */
    public String recordingNameFor() {
        return idPrefix;
    }

    public String playbackIdPrefix() {
        return idPrefix + "-pb";
    }

    // ---- the one entry point ------------------------------------------------------------------

    public List<CallCommand> on(CallEvent event, Instant now) {
        if (phase == Phase.ENDED) {
            return List.of();
        }
        List<CallCommand> out = new ArrayList<>();
        if (event instanceof Started e) {
            onStarted(e, now, out);
        } else if (event instanceof PreferenceLoaded e) {
            preferenceKnown = true;
            doNotRecordOnFile = e.doNotRecord();
            maybeStartPrompting(now, out);
        } else if (event instanceof PlaybackStarted e) {
            if (e.playbackId().equals(currentPlayback) && currentKind == PromptKind.NOTICE && noticeStartedAt == null) {
                noticeStartedAt = now;
            }
        } else if (event instanceof PlaybackFinished e) {
            onPlaybackFinished(e.playbackId(), e.failed(), now, out);
        } else if (event instanceof DtmfReceived e) {
            onDigit(e.digit(), now, out);
        } else if (event instanceof HangupRequested || event instanceof ChannelDestroyed) {
            channelGone = true;
            onChannelGone(now, out);
        } else if (event instanceof StasisEnded) {
            onStasisEnded(now, out);
        } else if (event instanceof TimerFired e) {
            onTimer(e.key(), now, out);
        } else if (event instanceof CommandSucceeded e) {
            onResult(e.tag(), true, 200, null, now, out);
        } else if (event instanceof CommandFailed e) {
            onResult(e.tag(), false, e.status(), e.message(), now, out);
        } else if (event instanceof SnoopEnteredStasis e) {
            if (e.snoopId().equals(snoopId)) {
                snoopInStasis = true;
                maybeStartRecording(out);
            }
        } else if (event instanceof SnoopLeftStasis) {
            // the recording reports its own end; nothing to do
        } else if (event instanceof RecordingStarted) {
            // the 201 of the record request is what we act on; the event only confirms it
        } else if (event instanceof RecordingFinished e) {
            onRecordingEnded(e.name(), e.durationSeconds(), now, out);
        } else if (event instanceof RecordingFailed e) {
            onRecordingEnded(e.name(), null, now, out);
        } else if (event instanceof UserEvent e) {
            // from the moment the recording runs: the dialplan may raise PaymentStart before
            // Asterisk has even answered our continue
            if (recording != null) {
                out.addAll(recording.onUserEvent(e.name(), now));
                collectWithdrawal(now, out);
            }
        } else if (event instanceof ControlRequested e) {
            onControl(e, now, out);
        } else if (event instanceof CallEvent.AriConnectivity e) {
            ariDown = !e.up();
            if (ariDown && recording != null && settings.recording().pauseOnOutage()) {
                out.addAll(recording.onOutage(now));
            }
        } else if (event instanceof CallEvent.TakenOver) {
            if (recording != null && phase == Phase.IN_DIALPLAN) {
                out.addAll(recording.reassertPause(now));
            }
        }
        return out;
    }

    // ---- IVR ---------------------------------------------------------------------------------

    private void onStarted(Started e, Instant now, List<CallCommand> out) {
        if (phase != Phase.NEW) {
            return;
        }
        channel = withDialledArgument(e.channel(), e.args());
        asteriskId = e.asteriskId();
        startedAt = now;
        IvrSettings ivr = settings.ivr();
        notice = ivr.notices().select(channel.dialledNumber(), channel.language(), e.args());
        subject = ivr.identity().normalize(channel.callerNumber()).orElse(null);
        phase = Phase.ANSWERING;
        out.add(new SaveState(snapshot()));
        out.add(new Answer("answer"));
        if (subject != null) {
            out.add(new LoadPreference(subject));
        } else {
            preferenceKnown = true;
        }
    }

    /**
     * A dialplan that jumps to a shared context before Stasis() loses the dialled number
     * (EXTEN becomes "s"), so it may pass it as the argument {@code dialled=<number>}.
     */
    private static ChannelSnapshot withDialledArgument(ChannelSnapshot ch, List<String> args) {
        for (String arg : args) {
            if (arg.startsWith("dialled=") && arg.length() > "dialled=".length()) {
                return new ChannelSnapshot(ch.id(), ch.name(), ch.callerNumber(), ch.callerName(),
                        arg.substring("dialled=".length()), ch.language(), ch.linkedId());
            }
        }
        return ch;
    }

    private void maybeStartPrompting(Instant now, List<CallCommand> out) {
        if (phase != Phase.ANSWERING || !answered || !preferenceKnown) {
            return;
        }
        if (doNotRecordOnFile) {
            phase = Phase.INFORMING;
            play(PromptKind.NOT_RECORDED, out);
        } else {
            phase = Phase.PROMPTING;
            attempts = 1;
            play(PromptKind.NOTICE, out);
        }
    }

    private void play(PromptKind kind, List<CallCommand> out) {
        Prompt prompt = switch (kind) {
            case NOTICE -> notice.notice();
            case CHOICE -> notice.choice();
            case INVALID -> notice.invalidChoice();
            case NOT_RECORDED -> notice.notRecorded();
        };
        currentPlayback = playbackIdPrefix() + (++playbackSeq);
        currentKind = kind;
        playedUris.add(prompt.uri());
        out.add(new Play("play:" + currentPlayback, currentPlayback, prompt.uri(), notice.language()));
        out.add(new StartTimer(PROMPT_GUARD_TIMER, settings.ivr().promptMaxDuration()));
    }

    private void onPlaybackFinished(String playbackId, boolean failed, Instant now, List<CallCommand> out) {
        if (!playbackId.equals(currentPlayback)) {
            return;
        }
        PromptKind kind = currentKind;
        currentPlayback = null;
        currentKind = null;
        out.add(new CancelTimer(PROMPT_GUARD_TIMER));
        if (channelGone) {
            return;
        }
        if (phase == Phase.INFORMING) {
            // not recorded either way; a missing "not recorded" prompt does not change that
            Duration window = settings.ivr().regrantWindow();
            if (failed || window.isZero()) {
                decide(Outcome.DO_NOT_RECORD, now, out);
            } else {
                // the notice ends with "to allow recording again, press 1": give the caller time to
                out.add(new StartTimer(REGRANT_TIMER, window));
            }
            return;
        }
        if (failed) {
            // the caller did not hear what they would agree to: no valid decision is possible
            decide(Outcome.ERROR, now, out);
            return;
        }
        if (phase != Phase.PROMPTING) {
            return;
        }
        switch (kind) {
            case NOTICE -> {
                noticeCompleted = true;
                play(PromptKind.CHOICE, out);
            }
            case INVALID -> play(PromptKind.CHOICE, out);
            case CHOICE -> {
                phase = Phase.WAITING_FOR_KEY;
                out.add(new StartTimer(NO_INPUT_TIMER, settings.ivr().noInputTimeout()));
            }
            default -> {
            }
        }
    }

    private void onDigit(char digit, Instant now, List<CallCommand> out) {
        if (recording != null) {
            out.addAll(recording.onDigit(digit, now));
            collectWithdrawal(now, out);
            return;
        }
        if (phase == Phase.INFORMING) {
            // a caller who withdrew earlier may allow recording again, of their own accord
            if (!settings.ivr().regrantWindow().isZero() && digit == settings.ivr().acceptKey()) {
                keys.append(digit);
                out.add(new CancelTimer(REGRANT_TIMER));
                decide(Outcome.GRANTED, now, out);
            }
            return;
        }
        if (phase != Phase.PROMPTING && phase != Phase.WAITING_FOR_KEY) {
            return;
        }
        if (keys.length() < MAX_KEYS_KEPT) {
            keys.append(digit);
        }
        if (phase == Phase.WAITING_FOR_KEY) {
            out.add(new CancelTimer(NO_INPUT_TIMER));
        }
        IvrSettings ivr = settings.ivr();
        if (digit == ivr.acceptKey()) {
            decide(Outcome.GRANTED, now, out);
        } else if (digit == ivr.declineKey()) {
            decide(ivr.basis() == LawfulBasis.CONSENT ? Outcome.DECLINED : Outcome.OPTED_OUT, now, out);
        } else {
            attempts++;
            if (attempts > ivr.attempts()) {
                decide(Outcome.NO_RESPONSE, now, out);
                return;
            }
            phase = Phase.PROMPTING;
            if (currentPlayback != null) {
                // barge-in: stop the prompt, then say "invalid choice" once the stop is answered
                playInvalidAfterStop = true;
                stopCurrentPrompt("stop:", out);
            } else {
                play(PromptKind.INVALID, out);
            }
        }
    }

    private void stopCurrentPrompt(String tagPrefix, List<CallCommand> out) {
        out.add(new StopPlayback(tagPrefix + currentPlayback, currentPlayback));
        out.add(new CancelTimer(PROMPT_GUARD_TIMER));
        currentPlayback = null;
        currentKind = null;
    }

    private void onTimer(String key, Instant now, List<CallCommand> out) {
        if (recording != null) {
            List<CallCommand> r = recording.onTimer(key, now);
            if (r != null) {
                out.addAll(r);
                return;
            }
        }
        switch (key) {
            case NO_INPUT_TIMER -> {
                if (phase != Phase.WAITING_FOR_KEY) {
                    return;
                }
                attempts++;
                if (attempts > settings.ivr().attempts()) {
                    decide(Outcome.NO_RESPONSE, now, out);
                } else {
                    phase = Phase.PROMPTING;
                    play(PromptKind.CHOICE, out);
                }
            }
            case PROMPT_GUARD_TIMER -> {
                if (currentPlayback != null && (phase == Phase.PROMPTING || phase == Phase.INFORMING)) {
                    // a prompt that never ends (unknown media scheme) must not hold the caller forever
                    decide(Outcome.ERROR, now, out);
                }
            }
            case SNOOP_TIMER -> {
                if (phase == Phase.SETTING_UP_RECORDING && !recordRequested) {
                    recordingNotStarted("the snoop channel did not enter Stasis in time", true, out);
                }
            }
            case REGRANT_TIMER -> {
                if (phase == Phase.INFORMING && currentPlayback == null) {
                    decide(Outcome.DO_NOT_RECORD, now, out);
                }
            }
            case CONTINUE_RETRY_TIMER -> {
                if (phase == Phase.CONTINUING) {
                    sendContinue(out);
                }
            }
            case TEARDOWN_TIMER -> {
                if (phase == Phase.ENDING) {
                    // no RecordingFinished arrived: make sure nothing keeps recording, then let go
                    if (recording != null && recording.isLive()) {
                        out.add(new StopRecording("teardown-stop", recordingName));
                        out.add(new HangupSnoop("teardown-snoop", snoopId));
                        out.addAll(recording.onRecordingEnded(now));
                    }
                    if (recording != null && !recordingEnded) {
                        recordingEnded = true;
                        archiveUnlessDiscarded(null, out);
                    }
                    finish(now, out);
                }
            }
            default -> {
            }
        }
    }

    // ---- decision and hand-back to the dialplan ------------------------------------------------

    private void decide(Outcome decided, Instant now, List<CallCommand> out) {
        if (outcome != null) {
            return;
        }
        outcome = decided;
        decidedAt = now;
        out.add(new CancelTimer(NO_INPUT_TIMER));
        out.add(new CancelTimer(PROMPT_GUARD_TIMER));
        out.add(new CancelTimer(REGRANT_TIMER));
        decision = evidence(consentId, null, decided, now, "caller");
        out.add(new RecordDecision("decision", decision));
        if (channelGone) {
            phase = Phase.ENDING;
        } else {
            phase = Phase.CLOSING;
            if (currentPlayback != null) {
                finalStopPending = true;
                stopCurrentPrompt("stop-final:", out);
            }
        }
        out.add(new SaveState(snapshot()));
    }

    private void onResult(String tag, boolean ok, int status, String message, Instant now, List<CallCommand> out) {
        if (recording != null) {
            List<CallCommand> r = recording.onCommandResult(tag, ok, status, now);
            if (r != null) {
                out.addAll(r);
                if (!r.isEmpty()) {
                    out.add(new SaveState(snapshot()));
                }
                return;
            }
        }
        if (tag.equals("answer")) {
            if (ok) {
                answered = true;
                maybeStartPrompting(now, out);
            } else if (!channelGone) {
                channelGone = status == 404;
                decide(status == 404 ? Outcome.ABANDONED : Outcome.ERROR, now, out);
            }
        } else if (tag.startsWith("play:")) {
            if (!ok && tag.equals("play:" + currentPlayback)) {
                if (status == 404) {
                    // "Channel not found": the caller hung up and the event has not reached us yet
                    channelGone = true;
                    currentPlayback = null;
                    decide(Outcome.ABANDONED, now, out);
                } else {
                    onPlaybackFinished(currentPlayback, true, now, out);
                }
            }
        } else if (tag.startsWith("stop-final:")) {
            finalStopPending = false;
            proceedAfterDecision(out);
        } else if (tag.startsWith("stop:")) {
            if (playInvalidAfterStop && phase == Phase.PROMPTING && currentPlayback == null) {
                playInvalidAfterStop = false;
                play(PromptKind.INVALID, out);
            }
        } else if (tag.equals("decision")) {
            decisionWritten = ok;
            decisionFailed = !ok;
            if (phase == Phase.ENDING && recording == null) {
                finish(now, out);
            } else {
                proceedAfterDecision(out);
            }
        } else if (tag.equals("subscribe")) {
            if (phase != Phase.SETTING_UP_RECORDING) {
                return;
            }
            if (ok) {
                snoopId = snoopChannelId();
                out.add(new CreateSnoop("snoop", snoopId, settings.recording().spy()));
                out.add(new StartTimer(SNOOP_TIMER, settings.recording().snoopTimeout()));
            } else {
                // without the subscription no pause trigger would reach us after continue
                recordingNotStarted("subscribing to the channel failed (HTTP " + status + ")", false, out);
            }
        } else if (tag.equals("snoop")) {
            if (phase != Phase.SETTING_UP_RECORDING) {
                return;
            }
            if (ok) {
                snoopAnswered = true;
                maybeStartRecording(out);
            } else {
                recordingNotStarted("creating the snoop channel failed (HTTP " + status + ")", true, out);
            }
        } else if (tag.equals("record")) {
            if (ok) {
                recording = new RecordingControl(settings.recording(), recordingName, snoopId, now);
                out.addAll(recording.started());
                if (ariDown && settings.recording().pauseOnOutage()) {
                    // started while the event connection is down: no trigger could reach us
                    out.addAll(recording.onOutage(now));
                }
                out.add(new SaveState(snapshot()));
                if (channelGone) {
                    phase = Phase.ENDING;
                    out.add(new StartTimer(TEARDOWN_TIMER, settings.recording().teardownTimeout()));
                } else if (phase == Phase.SETTING_UP_RECORDING) {
                    setVariables(out);
                }
            } else if (phase == Phase.SETTING_UP_RECORDING) {
                recordingNotStarted("starting the recording failed (HTTP " + status + ")", true, out);
            } else if (phase == Phase.ENDING) {
                finish(now, out);
            }
        } else if (tag.startsWith("var:")) {
            if (phase == Phase.SETTING_VARIABLES && --pendingVariables == 0) {
                phase = Phase.CONTINUING;
                sendContinue(out);
            }
        } else if (tag.equals("continue")) {
            onContinueResult(ok, status, now, out);
        }
    }

    private void proceedAfterDecision(List<CallCommand> out) {
        if (phase != Phase.CLOSING || finalStopPending || (!decisionWritten && !decisionFailed)) {
            return;
        }
        boolean allowed = outcome.allowsRecording(settings.ivr().basis());
        if (allowed && decisionFailed) {
            // without stored evidence we could not prove consent later: do not record
            recordingFailure = "the consent evidence could not be stored";
            allowed = false;
        }
        if (allowed) {
            phase = Phase.SETTING_UP_RECORDING;
            out.add(new Subscribe("subscribe"));
        } else {
            setVariables(out);
        }
    }

    private void maybeStartRecording(List<CallCommand> out) {
        if (phase != Phase.SETTING_UP_RECORDING || !snoopAnswered || !snoopInStasis || recordRequested) {
            return;
        }
        // recording before the snoop channel is in Stasis fails with 409 "Channel not in Stasis application"
        recordRequested = true;
        recordingName = recordingNameFor();
        out.add(new CancelTimer(SNOOP_TIMER));
        out.add(new StartRecording("record", snoopId, recordingName, settings.recording().format()));
    }

    private void recordingNotStarted(String why, boolean hangupSnoop, List<CallCommand> out) {
        recordingFailure = why;
        out.add(new CancelTimer(SNOOP_TIMER));
        if (hangupSnoop) {
            out.add(new HangupSnoop("snoop-cleanup", snoopChannelId()));
        }
        out.add(new SaveState(snapshot()));
        setVariables(out);
    }

    private void setVariables(List<CallCommand> out) {
        phase = Phase.SETTING_VARIABLES;
        pendingVariables = 3;
        out.add(new SetVariable("var:" + VAR_OUTCOME, VAR_OUTCOME, outcome.wire()));
        out.add(new SetVariable("var:" + VAR_CONSENT_ID, VAR_CONSENT_ID, consentId.toString()));
        out.add(new SetVariable("var:" + VAR_RECORDING, VAR_RECORDING, recording != null ? "1" : "0"));
    }

    private void sendContinue(List<CallCommand> out) {
        continueAttempts++;
        out.add(new Continue("continue", settings.ivr().targets().forOutcome(outcome)));
    }

    private void onContinueResult(boolean ok, int status, Instant now, List<CallCommand> out) {
        if (phase != Phase.CONTINUING) {
            return;
        }
        if (ok || status == 404 || status == 409) {
            // 404: the channel is gone; 409: it already left Stasis. Either way it is not ours to hold.
            if (recording != null) {
                phase = channelGone || status == 404 ? Phase.ENDING : Phase.IN_DIALPLAN;
                if (phase == Phase.ENDING) {
                    out.add(new StartTimer(TEARDOWN_TIMER, settings.recording().teardownTimeout()));
                }
                out.add(new SaveState(snapshot()));
            } else if (stasisEnded || channelGone || !ok) {
                finish(now, out);
            } else {
                phase = Phase.ENDING;
            }
        } else if (continueAttempts < 2) {
            out.add(new StartTimer(CONTINUE_RETRY_TIMER, Duration.ofMillis(500)));
        } else {
            // keep the call: it is still in Stasis; the operator sees the error in the log
            phase = recording != null ? Phase.IN_DIALPLAN : Phase.ENDING;
        }
    }

    // ---- hangup and teardown -------------------------------------------------------------------

    private void onStasisEnded(Instant now, List<CallCommand> out) {
        stasisEnded = true;
        switch (phase) {
            case CONTINUING, IN_DIALPLAN -> {
                // our own continue: the call goes on in the dialplan
            }
            case ENDING -> {
                if (recording == null && outcome != null && (decisionWritten || decisionFailed)) {
                    finish(now, out);
                }
            }
            default -> {
                // left Stasis without our continue: gone
                channelGone = true;
                onChannelGone(now, out);
            }
        }
    }

    private void onChannelGone(Instant now, List<CallCommand> out) {
        if (outcome == null) {
            if (phase == Phase.NEW) {
                phase = Phase.ENDED;
                return;
            }
            currentPlayback = null;
            decide(Outcome.ABANDONED, now, out);
            return;
        }
        switch (phase) {
            case CLOSING, SETTING_UP_RECORDING, SETTING_VARIABLES, CONTINUING, IN_DIALPLAN -> {
                if (recording != null && recording.isLive()) {
                    phase = Phase.ENDING;
                    out.add(new StartTimer(TEARDOWN_TIMER, settings.recording().teardownTimeout()));
                    out.add(new SaveState(snapshot()));
                } else if (recordRequested && recording == null) {
                    // the record request is still in flight: wait for its answer
                    phase = Phase.ENDING;
                    out.add(new StartTimer(TEARDOWN_TIMER, settings.recording().teardownTimeout()));
                } else {
                    if (snoopId != null && recording == null) {
                        out.add(new HangupSnoop("snoop-cleanup", snoopId));
                    }
                    if (decisionWritten || decisionFailed) {
                        finish(now, out);
                    } else {
                        phase = Phase.ENDING;
                    }
                }
            }
            default -> {
            }
        }
    }

    private void onRecordingEnded(String name, Integer durationSeconds, Instant now, List<CallCommand> out) {
        if (recording == null || !name.equals(recordingName) || recordingEnded) {
            return;
        }
        recordingEnded = true;
        archiveUnlessDiscarded(durationSeconds, out);
        out.addAll(recording.onRecordingEnded(now));
        out.add(new SaveState(snapshot()));
        if (phase == Phase.ENDING || channelGone) {
            finish(now, out);
        }
    }

    private void archiveUnlessDiscarded(Integer durationSeconds, List<CallCommand> out) {
        if (recording.state() != RecordingControl.State.DISCARDED) {
            out.add(new CallCommand.ArchiveRecording(recordingName, decision.id(), subject, durationSeconds));
        }
    }

    private void onControl(ControlRequested e, Instant now, List<CallCommand> out) {
        if (recording == null) {
            out.add(new ControlAnswered(e.requestId(), "not_recording",
                    outcome == null ? "the caller has not decided yet" : "this call is not being recorded"));
            return;
        }
        out.addAll(recording.onControl(e.requestId(), e.action(), e.requestedBy(), now));
        collectWithdrawal(now, out);
    }

    private void collectWithdrawal(Instant now, List<CallCommand> out) {
        recording.takeWithdrawal().ifPresent(w -> {
            // the withdrawal row repeats what the caller was told, and points at the decision it ends
            ConsentEvidence d = decision;
            UUID id = UUID.nameUUIDFromBytes((consentId + ":withdrawn").getBytes(StandardCharsets.UTF_8));
            ConsentEvidence withdrawn = new ConsentEvidence(id, callId, consentId, d.channelId(), d.linkedId(),
                    d.callerNumber(), d.callerName(), d.callerSubject(), d.dialledNumber(), d.noticeStartedAt(),
                    d.noticeCompleted(), w.at(), d.noticeSetId(), d.language(), d.noticeVersion(), d.noticeText(),
                    d.soundUris(), d.keysPressed(), d.attempts(), Outcome.WITHDRAWN, d.lawfulBasis(), d.asteriskId(),
                    w.by());
            out.add(new RecordDecision("withdrawal", withdrawn));
            out.add(new SaveState(snapshot()));
        });
    }

    private void finish(Instant now, List<CallCommand> out) {
        if (phase == Phase.ENDED) {
            return;
        }
        phase = Phase.ENDED;
        out.add(new CancelTimer(TEARDOWN_TIMER));
        out.add(new SaveState(snapshotEndedAt(now)));
        out.add(new Finished(outcome));
    }

    // ---- evidence and durable state --------------------------------------------------------------

    private ConsentEvidence evidence(UUID id, UUID supersedes, Outcome decided, Instant at, String by) {
        return new ConsentEvidence(
                id, callId, supersedes, channel.id(), channel.linkedId(),
                channel.callerNumber(), channel.callerName(), subject, channel.dialledNumber(),
                noticeStartedAt, noticeCompleted, at,
                notice.id(), notice.language(), doNotRecordOnFile ? notice.notRecordedVersion() : notice.version(),
                doNotRecordOnFile ? notice.notRecorded().text() : notice.informedText(),
                playedUris, keys.toString(), attempts, decided, settings.ivr().basis(), asteriskId, by);
    }

    private CallStateSnapshot snapshot() {
        return snapshotEndedAt(null);
    }

    private CallStateSnapshot snapshotEndedAt(Instant endedAt) {
        String recordingState;
        boolean paused = false;
        if (recording != null) {
            recordingState = recording.state().name().toLowerCase();
            paused = recording.isPaused();
        } else if (recordingFailure != null) {
            recordingState = "failed";
        } else {
            recordingState = "none";
        }
        return new CallStateSnapshot(callId, channel.id(), channel.name(), channel.linkedId(), subject,
                asteriskId, startedAt, phase.name().toLowerCase(), outcome,
                outcome == null ? null : consentId, recording != null ? recordingName : null, snoopId,
                recordingState, paused, endedAt);
    }
}
