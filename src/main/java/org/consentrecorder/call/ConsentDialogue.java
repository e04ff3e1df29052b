package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.consentrecorder.call.CallCommand.Answer;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.LoadPreference;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopPlayback;
import org.consentrecorder.call.CommandKey.CallStep;
import org.consentrecorder.call.CommandKey.PlayPrompt;
import org.consentrecorder.call.CommandKey.StopPrompt;
import org.consentrecorder.call.DialogueState.PromptKind;
import org.consentrecorder.call.DialogueState.Prompting;

/**
 * The consent dialogue: answer, look up the caller's preference, play the notice and the choice
 * prompt (barge-in allowed), take the key or the silence, and hand the outcome to
 * {@link Decision}. A caller with "do not record" on file hears the not-recorded notice instead and
 * may press the accept key to allow recording again. Pure functions of the call's state; its own
 * part of that state is {@link DialogueState}.
 */
public final class ConsentDialogue {
    /** Keys kept for the evidence: enough for every attempt, bounded against a caller who keeps typing. */
    static final int MAX_KEYS_KEPT = 32;

    private ConsentDialogue() {
    }

    static CallState start(CallSettings cfg, CallState s, CallEvent.Started e, Instant now, List<CallCommand> out) {
        if (s.phase() != CallPhase.NEW) {
            return s;
        }
        ChannelSnapshot channel = withDialledArgument(e.channel(), e.args());
        IvrSettings ivr = cfg.ivr();
        NoticeSet notice = ivr.notices().select(channel.dialledNumber(), channel.language(), e.args());
        String subject = ivr.identity().normalize(channel.callerNumber()).orElse(null);
        CallState n = s.withFacts(new CallFacts(channel, e.asteriskId(), notice, subject, now))
                .withPhase(CallPhase.ANSWERING);
        out.add(new SaveState(CallStateSnapshot.of(n)));
        out.add(new Answer(CallStep.ANSWER));
        if (subject != null) {
            out.add(new LoadPreference(subject));
            return n;
        }
        return n.withDialogue(n.dialogue().withPreference(false));
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

    static CallState onPreference(CallSettings cfg, CallState s, boolean doNotRecord, List<CallCommand> out) {
        return maybeStartPrompting(cfg, s.withDialogue(s.dialogue().withPreference(doNotRecord)), out);
    }

    static CallState onAnswerResult(CallSettings cfg, CallState s, boolean ok, int status, Instant now,
                                    List<CallCommand> out) {
        if (ok) {
            return maybeStartPrompting(cfg, s.withDialogue(s.dialogue().afterAnswer()), out);
        }
        if (s.channelGone()) {
            return s;
        }
        return Decision.decide(cfg, s.withChannelGone(status == 404), status == 404 ? Outcome.ABANDONED : Outcome.ERROR,
                now, out);
    }

    private static CallState maybeStartPrompting(CallSettings cfg, CallState s, List<CallCommand> out) {
        DialogueState d = s.dialogue();
        if (s.phase() != CallPhase.ANSWERING || !d.answered() || !d.preferenceKnown()) {
            return s;
        }
        if (d.doNotRecordOnFile()) {
            return play(cfg, s.withPhase(CallPhase.INFORMING), PromptKind.NOT_RECORDED, out);
        }
        return play(cfg, s.withPhase(CallPhase.PROMPTING).withDialogue(d.withAttempts(1)), PromptKind.NOTICE, out);
    }

    private static CallState play(CallSettings cfg, CallState s, PromptKind kind, List<CallCommand> out) {
        NoticeSet notice = s.facts().notice();
        Prompt prompt = switch (kind) {
            case NOTICE -> notice.notice();
            case CHOICE -> notice.choice();
            case INVALID -> notice.invalidChoice();
            case NOT_RECORDED -> notice.notRecorded();
        };
        int seq = s.dialogue().playbackSeq() + 1;
        String id = CallIds.playbackId(s.callId(), seq);
        out.add(new Play(new PlayPrompt(id), id, prompt.uri(), notice.language()));
        out.add(new StartTimer(TimerKey.PROMPT_GUARD, cfg.ivr().promptMaxDuration()));
        return s.withDialogue(s.dialogue().playing(seq, new Prompting(id, kind), prompt.uri()));
    }

    /** Stops the prompt playing now (if any); its answer comes back under a {@link StopPrompt} key. */
    static CallState stopPrompt(CallState s, StopPrompt.Why why, List<CallCommand> out) {
        Prompting p = s.dialogue().current();
        if (p == null) {
            return s;
        }
        out.add(new StopPlayback(new StopPrompt(p.playbackId(), why), p.playbackId()));
        out.add(new CancelTimer(TimerKey.PROMPT_GUARD));
        return s.withDialogue(s.dialogue().withCurrent(null));
    }

    static CallState onPlaybackStarted(CallState s, String playbackId, Instant now, List<CallCommand> out) {
        DialogueState d = s.dialogue();
        if (isCurrent(d, playbackId) && d.current().kind() == PromptKind.NOTICE && d.noticeStartedAt() == null) {
            return s.withDialogue(d.noticeStarted(now));
        }
        return stopIfUnstopped(s, playbackId, out);
    }

    /** Asterisk started a prompt whose stop it had answered 404 (the stop overtook the play): stop it now. */
    private static CallState stopIfUnstopped(CallState s, String playbackId, List<CallCommand> out) {
        if (!playbackId.equals(s.dialogue().unstopped())) {
            return s;
        }
        out.add(new StopPlayback(new StopPrompt(playbackId, StopPrompt.Why.STALE), playbackId));
        return s.withDialogue(s.dialogue().withUnstopped(null));
    }

    static CallState onPlaybackFinished(CallSettings cfg, CallState s, String playbackId, boolean failed, Instant now,
                                        List<CallCommand> out) {
        DialogueState d = s.dialogue();
        if (!isCurrent(d, playbackId)) {
            return s;
        }
        PromptKind kind = d.current().kind();
        s = s.withDialogue(d.withCurrent(null));
        out.add(new CancelTimer(TimerKey.PROMPT_GUARD));
        if (s.channelGone()) {
            return s;
        }
        if (s.phase() == CallPhase.INFORMING) {
            // not recorded either way; a missing "not recorded" prompt does not change that
            Duration window = cfg.ivr().regrantWindow();
            if (failed || window.isZero()) {
                return Decision.decide(cfg, s, Outcome.DO_NOT_RECORD, now, out);
            }
            // the notice ends with "to allow recording again, press 1": give the caller time to
            out.add(new StartTimer(TimerKey.REGRANT, window));
            return s;
        }
        if (failed) {
            // the caller did not hear what they would agree to: no valid decision is possible
            return Decision.decide(cfg, s, Outcome.ERROR, now, out);
        }
        if (s.phase() != CallPhase.PROMPTING) {
            return s;
        }
        return switch (kind) {
            case NOTICE -> play(cfg, s.withDialogue(s.dialogue().withNoticeCompleted()), PromptKind.CHOICE, out);
            case INVALID -> play(cfg, s, PromptKind.CHOICE, out);
            case CHOICE -> {
                out.add(new StartTimer(TimerKey.NO_INPUT, cfg.ivr().noInputTimeout()));
                yield s.withPhase(CallPhase.WAITING_FOR_KEY);
            }
            case NOT_RECORDED -> s;
        };
    }

    /** The play request failed: 404 means the caller hung up before the event reached us. */
    static CallState onPlayResult(CallSettings cfg, CallState s, PlayPrompt key, boolean ok, int status, Instant now,
                                  List<CallCommand> out) {
        DialogueState d = s.dialogue();
        if (ok) {
            return stopIfUnstopped(s, key.playbackId(), out);
        }
        if (!isCurrent(d, key.playbackId())) {
            return s;
        }
        if (status == 404) {
            // "Channel not found": the caller hung up and the event has not reached us yet
            return Decision.decide(cfg, s.withChannelGone(true).withDialogue(d.withCurrent(null)), Outcome.ABANDONED,
                    now, out);
        }
        return onPlaybackFinished(cfg, s, key.playbackId(), true, now, out);
    }

    static CallState onStopResult(CallSettings cfg, CallState s, StopPrompt key, boolean ok, int status,
                                  List<CallCommand> out) {
        if (key.why() == StopPrompt.Why.STALE) {
            return s;
        }
        if (!ok && status == 404) {
            // nothing to stop: it ended already, or Asterisk has not started it yet (then it is stopped when it starts)
            s = s.withDialogue(s.dialogue().withUnstopped(key.playbackId()));
        }
        if (key.why() == StopPrompt.Why.DECIDED) {
            return Decision.proceed(cfg, s.withDialogue(s.dialogue().withClosingStopPending(false)), out);
        }
        DialogueState d = s.dialogue();
        if (d.invalidAfterStop() && s.phase() == CallPhase.PROMPTING && d.current() == null) {
            return play(cfg, s.withDialogue(d.withInvalidAfterStop(false)), PromptKind.INVALID, out);
        }
        return s;
    }

    /** A key while no recording runs (a running recording's digits go to {@link RecordingControl}). */
    static CallState onDigit(CallSettings cfg, CallState s, char digit, Instant now, List<CallCommand> out) {
        IvrSettings ivr = cfg.ivr();
        DialogueState d = s.dialogue();
        if (s.phase() == CallPhase.INFORMING) {
            // a caller who withdrew earlier may allow recording again, of their own accord
            if (!ivr.regrantWindow().isZero() && digit == ivr.acceptKey()) {
                out.add(new CancelTimer(TimerKey.REGRANT));
                return Decision.decide(cfg, s.withDialogue(d.withKey(digit)), Outcome.GRANTED, now, out);
            }
            return s;
        }
        if (s.phase() != CallPhase.PROMPTING && s.phase() != CallPhase.WAITING_FOR_KEY) {
            return s;
        }
        if (d.keys().length() < MAX_KEYS_KEPT) {
            d = d.withKey(digit);
        }
        if (s.phase() == CallPhase.WAITING_FOR_KEY) {
            out.add(new CancelTimer(TimerKey.NO_INPUT));
        }
        s = s.withDialogue(d);
        if (digit == ivr.acceptKey()) {
            return Decision.decide(cfg, s, Outcome.GRANTED, now, out);
        }
        if (digit == ivr.declineKey()) {
            return Decision.decide(cfg, s, ivr.basis() == LawfulBasis.CONSENT ? Outcome.DECLINED : Outcome.OPTED_OUT,
                    now, out);
        }
        s = s.withDialogue(d.withAttempts(d.attempts() + 1));
        if (s.dialogue().attempts() > ivr.attempts()) {
            return Decision.decide(cfg, s, Outcome.NO_RESPONSE, now, out);
        }
        s = s.withPhase(CallPhase.PROMPTING);
        if (s.dialogue().current() != null) {
            // barge-in: stop the prompt, then say "invalid choice" once the stop is answered
            return stopPrompt(s.withDialogue(s.dialogue().withInvalidAfterStop(true)), StopPrompt.Why.BARGE_IN, out);
        }
        return play(cfg, s, PromptKind.INVALID, out);
    }

    /** The dialogue's timers: no key after the choice, a prompt that never ends, the re-grant window. */
    static CallState onTimer(CallSettings cfg, CallState s, TimerKey key, Instant now, List<CallCommand> out) {
        DialogueState d = s.dialogue();
        switch (key) {
            case NO_INPUT -> {
                if (s.phase() != CallPhase.WAITING_FOR_KEY) {
                    return s;
                }
                s = s.withDialogue(d.withAttempts(d.attempts() + 1));
                if (s.dialogue().attempts() > cfg.ivr().attempts()) {
                    return Decision.decide(cfg, s, Outcome.NO_RESPONSE, now, out);
                }
                return play(cfg, s.withPhase(CallPhase.PROMPTING), PromptKind.CHOICE, out);
            }
            case PROMPT_GUARD -> {
                if (d.current() != null && (s.phase() == CallPhase.PROMPTING || s.phase() == CallPhase.INFORMING)) {
                    // a prompt that never ends (unknown media scheme) must not hold the caller forever
                    return Decision.decide(cfg, s, Outcome.ERROR, now, out);
                }
                return s;
            }
            case REGRANT -> {
                if (s.phase() == CallPhase.INFORMING && d.current() == null) {
                    return Decision.decide(cfg, s, Outcome.DO_NOT_RECORD, now, out);
                }
                return s;
            }
            default -> {
                return s;
            }
        }
    }

    private static boolean isCurrent(DialogueState d, String playbackId) {
        return d.current() != null && d.current().playbackId().equals(playbackId);
    }
}
