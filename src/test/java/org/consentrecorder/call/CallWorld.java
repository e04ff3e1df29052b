package org.consentrecorder.call;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.Continue;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.DiscardRecording;
import org.consentrecorder.call.CallCommand.Finished;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.LoadPreference;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopPlayback;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CommandKey.CallStep;

/**
 * One call against a model of Asterisk, the caller, the agent's dialplan and an operator, with
 * everything that may happen concurrently happening in an order drawn from a seeded random
 * generator. The model follows the captures in ari-fixtures: a request is handled by Asterisk at
 * some moment after it was sent; what it causes (its answer over HTTP, its events over the one
 * WebSocket) reaches the core in any order relative to each other, events in the order Asterisk
 * raised them. Requests fail now and then, or get no answer: then a snoop, record, pause or resume
 * request may have been carried out all the same (the others are taken as not carried out).
 * The periodic sweep of stray snoop channels is modelled at the end of a run.
 *
 * <p>Half the seeds record in stereo: two snoop channels and two recordings, each modelled on its
 * own (a request to one leg may succeed while the other's fails or gets no answer), and every
 * invariant about audio holds for each leg.
 *
 * <p>After every step of the core the invariants are checked; a violation throws an
 * {@link AssertionError} naming the seed and the last steps.
 */
final class CallWorld {
    private static final String CALLER = "+15551230777";
    private static final int TRACE = 40;

    private final long seed;
    private final Random rnd;
    private final CallSettings settings;
    private final CallCore core;
    private final Set<FixtureOrders> orders;
    private CallState state;
    private Instant now = Instant.parse("2026-11-24T16:40:47.714Z");
    private final ArrayDeque<Traced> trace = new ArrayDeque<>();

    // ---- the model of Asterisk ------------------------------------------------------------------
    private enum Line { STASIS, DIALPLAN, GONE }

    private Line line = Line.STASIS;
    private boolean subscribed;
    private final Map<String, Boolean> playing = new HashMap<>();
    private final boolean stereo;
    /** Per leg ({@link Leg#ordinal()}): the snoop channel, its recording, and whether the recording is paused or muted. */
    private final boolean[] snoopExists = new boolean[2];
    private final boolean[] recordingExists = new boolean[2];
    private final boolean[] recordingEnded = new boolean[2];
    private final boolean[] paused = new boolean[2];
    private final boolean[] muted = new boolean[2];
    private boolean ariDown;

    // ---- what is pending ------------------------------------------------------------------------
    /** Work Asterisk (or the database) has still to do, and answers still travelling. */
    private final List<Runnable> work = new ArrayList<>();
    private final List<String> workNames = new ArrayList<>();
    /** The WebSocket: events in the order Asterisk raised them. */
    private final ArrayDeque<CallEvent> websocket = new ArrayDeque<>();
    private final EnumMap<TimerKey, Instant> timers = new EnumMap<>(TimerKey.class);
    /** Requests sent whose answer has not reached the core. */
    private final List<CallCommand> inFlight = new ArrayList<>();

    // ---- what the invariants need ---------------------------------------------------------------
    private boolean finished;
    private boolean evidenceAllows;
    private boolean evidenceWritten;
    private final boolean[] snoopStartSeen = new boolean[2];
    private final boolean[] snoopAnswerSeen = new boolean[2];
    private boolean paymentActive;
    private boolean withdrawn;
    private boolean hangupSeen;
    private boolean callerLeftSeen;
    private boolean recordingFinishedSeen;
    private char lastDigit;
    private Instant lastDigitAt = Instant.EPOCH;
    private final java.util.Set<String> answered = new java.util.HashSet<>();

    CallWorld(long seed, Set<FixtureOrders> orders) {
        this.seed = seed;
        this.rnd = new Random(seed);
        this.orders = orders;
        RecordingSettings d = RecordingSettings.defaults();
        RecordingSettings recording = new RecordingSettings(d.format(), d.spy(),
                rnd.nextBoolean() ? PauseStyle.SKIP : PauseStyle.SILENCE, d.pauseSequence(), d.resumeSequence(),
                d.withdrawSequence(), d.sequenceGap(), d.pauseUserEvent(), d.resumeUserEvent(), d.pauseDeadline(),
                d.maxPause(), d.burstGuard(), d.burstDigits(), d.burstWindow(), d.snoopTimeout(), d.teardownTimeout(),
                d.pauseOnOutage(), d.channels());
        this.stereo = rnd.nextBoolean();
        this.settings = FlowHarness.settings(rnd.nextInt(4) == 0 ? LawfulBasis.LEGITIMATE_INTEREST : LawfulBasis.CONSENT,
                recording.withChannels(stereo ? RecordingChannels.STEREO : RecordingChannels.MONO));
        this.core = new CallCore(settings);
        this.state = CallState.initial(new UUID(seed, 1), new UUID(seed, 2));
    }

    /** Runs the call: a random life, then (mostly) the caller hangs up and everything pending happens. */
    void run(int steps) {
        deliver(new CallEvent.Started(new ChannelSnapshot("1795538447.40", "PJSIP/sipp-00000003", CALLER,
                "Test Caller", "100", "en", "1795538447.39"), List.of("inbound"), "02:fc:00:00:00:01"));
        for (int i = 0; i < steps && !finished; i++) {
            step(true);
        }
        drain();
        if (anySnoop() && (finished || !state.snoopExpected())) {
            // what the periodic sweep (CallRecovery) hangs up; it must not be recording anything
            check(!recordingLive(), "a recording runs on a snoop channel the call does not expect");
            for (Leg leg : Leg.values()) {
                snoopGone(leg);
            }
            drain();
        }
        if (recordingLive()) {
            check(!finished && state.snoopExpected() && state.recording() != null && state.recording().isLive(),
                    "a recording runs that its call does not control");
        }
        if (line != Line.GONE && rnd.nextInt(5) > 0) {
            hangup();
            drain();
            check(finished, "the caller hung up and everything happened, but the call never finished");
            check(!anySnoop(), "a snoop channel outlived the call");
        }
    }

    private void drain() {
        for (int i = 0; i < 5000 && (!work.isEmpty() || !websocket.isEmpty() || !timers.isEmpty()); i++) {
            step(false);
        }
    }

    // ---- one step: something happens -------------------------------------------------------------

    private void step(boolean stimuli) {
        now = now.plusMillis(1 + rnd.nextInt(40));
        int w = work.size() * 10;
        int e = websocket.isEmpty() ? 0 : 10;
        int t = timers.size();
        int s = stimuli && line != Line.GONE ? 4 : 0;
        int pick = rnd.nextInt(Math.max(1, w + e + t + s));
        if (pick < w) {
            int i = pick / 10;
            workNames.remove(i);
            work.remove(i).run();
        } else if (pick < w + e) {
            deliver(websocket.poll());
        } else if (pick < w + e + t) {
            TimerKey k = new ArrayList<>(timers.keySet()).get(rnd.nextInt(timers.size()));
            Instant due = timers.remove(k);
            if (due.isAfter(now)) {
                now = due;
            }
            deliver(new CallEvent.TimerFired(k));
        } else if (s > 0) {
            stimulus();
        }
    }

    private void stimulus() {
        int r = rnd.nextInt(100);
        if (r < 3) {
            hangup();
        } else if (r < 7) {
            ariDown = !ariDown;
            if (ariDown && line == Line.DIALPLAN && recordingLive()) {
                paymentActive = true;
            }
            deliver(new CallEvent.AriConnectivity(!ariDown));
        } else if (line == Line.STASIS) {
            char[] keys = {'1', '1', '2', '7', '5'};
            websocket.add(new CallEvent.DtmfReceived(keys[rnd.nextInt(keys.length)]));
        } else if (line == Line.DIALPLAN && subscribed) {
            int p = rnd.nextInt(100);
            if (p < 15) {
                websocket.add(new CallEvent.DtmfReceived('*'));
                websocket.add(new CallEvent.DtmfReceived('7'));
            } else if (p < 30) {
                websocket.add(new CallEvent.DtmfReceived('*'));
                websocket.add(new CallEvent.DtmfReceived('8'));
            } else if (p < 32) {
                websocket.add(new CallEvent.DtmfReceived('*'));
                websocket.add(new CallEvent.DtmfReceived('9'));
            } else if (p < 50) {
                websocket.add(new CallEvent.DtmfReceived((char) ('0' + rnd.nextInt(7))));
            } else if (p < 62) {
                websocket.add(new CallEvent.UserEvent("PaymentStart"));
            } else if (p < 74) {
                websocket.add(new CallEvent.UserEvent("PaymentEnd"));
            } else if (p < 77) {
                websocket.add(new CallEvent.UserEvent("SomethingElse"));
            } else {
                ControlAction a = p < 87 ? ControlAction.PAUSE : p < 97 ? ControlAction.RESUME : ControlAction.STOP;
                deliver(new CallEvent.ControlRequested(new UUID(seed, p), a, "api:operator"));
            }
        }
    }

    private void hangup() {
        Line before = line;
        line = Line.GONE;
        if (before == Line.STASIS || subscribed) {
            websocket.add(new CallEvent.HangupRequested());
            later("the caller's channel leaves", () -> websocket.add(before == Line.STASIS
                    ? new CallEvent.StasisEnded() : new CallEvent.ChannelDestroyed()));
        }
        for (Map.Entry<String, Boolean> p : new ArrayList<>(playing.entrySet())) {
            if (p.getValue()) {
                playing.put(p.getKey(), false);
                later("a prompt cut short", () -> websocket.add(new CallEvent.PlaybackFinished(p.getKey(), true)));
            }
        }
        for (Leg leg : Leg.values()) {
            if (snoopExists[leg.ordinal()]) {
                later("the " + leg + " snoop channel torn down", () -> snoopGone(leg));
            }
        }
    }

    private void snoopGone(Leg leg) {
        if (!snoopExists[leg.ordinal()]) {
            return;
        }
        snoopExists[leg.ordinal()] = false;
        endRecording(leg);
        websocket.add(new CallEvent.SnoopLeftStasis(CallIds.snoopId(state.callId(), leg)));
    }

    private void endRecording(Leg leg) {
        int i = leg.ordinal();
        if (recordingExists[i] && !recordingEnded[i]) {
            recordingEnded[i] = true;
            websocket.add(new CallEvent.RecordingFinished(CallIds.recordingName(state.callId(), leg), 3));
        }
    }

    private boolean anySnoop() {
        return snoopExists[0] || snoopExists[1];
    }

    private Leg snoopLeg(String snoopId) {
        for (Leg leg : Leg.values()) {
            if (CallIds.snoopId(state.callId(), leg).equals(snoopId)) {
                check(stereo || leg == Leg.IN, "a mono call asks for a second snoop channel");
                return leg;
            }
        }
        check(false, "a snoop channel id of no leg of this call: " + snoopId);
        return null;
    }

    private Leg recordingLeg(String name) {
        for (Leg leg : Leg.values()) {
            if (CallIds.recordingName(state.callId(), leg).equals(name)) {
                check(stereo || leg == Leg.IN, "a mono call touches a second recording");
                return leg;
            }
        }
        check(false, "a recording name of no leg of this call: " + name);
        return null;
    }

    private void later(String what, Runnable r) {
        work.add(r);
        workNames.add(what);
    }

    // ---- the core --------------------------------------------------------------------------------

    private void deliver(CallEvent event) {
        observe(event);
        CallCore.Next next = core.next(state, event, now);
        state = next.state();
        remember(new Traced(event, next.commands(), paymentActive, withdrawn));
        if (finished) {
            if (!next.commands().isEmpty()) {
                check(false, "commands after the call finished: " + next.commands());
            }
        }
        for (CallCommand c : next.commands()) {
            carryOut(c);
        }
        checkAfterStep();
    }

    /** Bookkeeping of what the core has been told, before it hears it. */
    private void observe(CallEvent event) {
        if (event instanceof CallEvent.CommandSucceeded s && s.key() == CallStep.DECISION) {
            evidenceWritten = true;
        }
        if (event instanceof CallEvent.CommandSucceeded s && s.key() == CallStep.SNOOP) {
            snoopAnswerSeen[Leg.IN.ordinal()] = true;
        }
        if (event instanceof CallEvent.CommandSucceeded s && s.key() == CallStep.SNOOP_OUT) {
            snoopAnswerSeen[Leg.OUT.ordinal()] = true;
        }
        if (event instanceof CallEvent.SnoopEnteredStasis e) {
            Leg leg = snoopLeg(e.snoopId());
            snoopStartSeen[leg.ordinal()] = true;
            if (leg == Leg.IN) {
                order(answered.contains("snoop"), FixtureOrders.SNOOP_STASIS_START_AFTER_SNOOP_ANSWER,
                        FixtureOrders.SNOOP_STASIS_START_BEFORE_SNOOP_ANSWER);
            }
        }
        if (event instanceof CallEvent.PlaybackStarted p) {
            order(answered.contains("play:" + p.playbackId()), FixtureOrders.PLAYBACK_STARTED_AFTER_PLAY_ANSWER,
                    FixtureOrders.PLAYBACK_STARTED_BEFORE_PLAY_ANSWER);
        }
        if (event instanceof CallEvent.RecordingStarted r && recordingLeg(r.name()) == Leg.IN) {
            order(answered.contains("record"), FixtureOrders.RECORDING_STARTED_AFTER_RECORD_ANSWER,
                    FixtureOrders.RECORDING_STARTED_BEFORE_RECORD_ANSWER);
        }
        if (event instanceof CallEvent.StasisEnded && answered.contains("continue-sent")) {
            order(answered.contains("continue"), FixtureOrders.STASIS_END_AFTER_CONTINUE_ANSWER,
                    FixtureOrders.STASIS_END_BEFORE_CONTINUE_ANSWER);
        }
        if (event instanceof CallEvent.HangupRequested) {
            hangupSeen = true;
        }
        if ((event instanceof CallEvent.StasisEnded || event instanceof CallEvent.ChannelDestroyed) && hangupSeen) {
            callerLeftSeen = true;
        }
        if (event instanceof CallEvent.RecordingFinished) {
            recordingFinishedSeen = true;
            if (line == Line.GONE) {
                order(hangupSeen, FixtureOrders.RECORDING_FINISHED_AFTER_HANGUP_REQUEST,
                        FixtureOrders.RECORDING_FINISHED_BEFORE_HANGUP_REQUEST);
                order(callerLeftSeen, FixtureOrders.RECORDING_FINISHED_AFTER_CHANNEL_LEFT,
                        FixtureOrders.RECORDING_FINISHED_BEFORE_CHANNEL_LEFT);
            }
        }
        if (event instanceof CallEvent.PlaybackFinished f && f.failed() && hangupSeen) {
            orders.add(FixtureOrders.PLAYBACK_FINISHED_AFTER_HANGUP_REQUEST);
        }
        if (event instanceof CallEvent.DtmfReceived d) {
            boolean sequence = lastDigit == '*' && !now.isAfter(lastDigitAt.plus(settings.recording().sequenceGap()));
            if (line == Line.DIALPLAN && sequence && d.digit() == '7') {
                paymentActive = true;
            } else if (line == Line.DIALPLAN && sequence && d.digit() == '8') {
                paymentActive = false;
            } else if (line == Line.DIALPLAN && sequence && d.digit() == '9') {
                withdrawn = recordingLive() || withdrawn;
            }
            lastDigit = d.digit();
            lastDigitAt = now;
        }
        if (event instanceof CallEvent.UserEvent u && line == Line.DIALPLAN) {
            paymentActive = u.name().equals("PaymentStart") || (paymentActive && !u.name().equals("PaymentEnd"));
        }
        if (event instanceof CallEvent.ControlRequested c && line == Line.DIALPLAN) {
            switch (c.action()) {
                case PAUSE -> paymentActive = true;
                case RESUME -> paymentActive = false;
                case STOP -> withdrawn = recordingLive() || withdrawn;
            }
        }
    }

    private void order(boolean after, FixtureOrders ifAfter, FixtureOrders ifBefore) {
        orders.add(after ? ifAfter : ifBefore);
    }

    /** What the shell would do with a command, done to the model. */
    private void carryOut(CallCommand c) {
        if (finished) {
            check(false, "a command after Finished: " + c);
        }
        if (c instanceof Finished) {
            finished = true;
        } else if (c instanceof StartTimer t) {
            timers.put(t.key(), now.plus(t.after()));
        } else if (c instanceof CancelTimer t) {
            timers.remove(t.key());
        } else if (c instanceof LoadPreference) {
            boolean doNotRecord = rnd.nextInt(5) == 0;
            later("the preference read", () -> deliver(new CallEvent.PreferenceLoaded(doNotRecord)));
        } else if (c instanceof RecordDecision d) {
            if (d.key() == CallStep.DECISION) {
                evidenceAllows = d.evidence().outcome().allowsRecording(settings.ivr().basis());
            }
            request(c, d.key(), () -> rnd.nextInt(20) > 0 ? 200 : 0);
        } else if (c instanceof StartRecording r) {
            Leg leg = snoopLeg(r.snoopId());
            check(r.recordingName().equals(CallIds.recordingName(state.callId(), leg)),
                    "a leg recorded under another leg's name");
            check(evidenceWritten && evidenceAllows, "recording without stored evidence that allows it");
            check(snoopStartSeen[leg.ordinal()] && snoopAnswerSeen[leg.ordinal()],
                    "recording before the snoop channel answered and entered Stasis");
            request(c, r.key(), () -> {
                if (!snoopExists[leg.ordinal()]) {
                    return 409;
                }
                int status = outcome();
                if (status == 200 || (status == 0 && rnd.nextBoolean())) {
                    recordingExists[leg.ordinal()] = true;
                    websocket.add(new CallEvent.RecordingStarted(r.recordingName()));
                    if (ariDown && line == Line.DIALPLAN) {
                        paymentActive = true;
                    }
                }
                return status;
            });
        } else if (c instanceof Continue k) {
            // Asterisk holds continue while a prompt plays on the channel: a stop must be on its way, or the
            // core must be waiting to stop it the moment it hears it started (its stop overtook the play)
            check(playing.entrySet().stream().filter(Map.Entry::getValue).allMatch(p -> inFlight.stream().anyMatch(
                    f -> f instanceof StopPlayback sp && sp.playbackId().equals(p.getKey()))
                    || p.getKey().equals(state.dialogue().unstopped())),
                    "continue while a prompt plays that nothing stops (Asterisk would hold it)");
            answered.add("continue-sent");
            request(c, k.key(), () -> {
                if (line != Line.STASIS) {
                    return line == Line.GONE ? 404 : 409;
                }
                int status = outcome();
                if (status == 200) {
                    line = Line.DIALPLAN;
                    websocket.add(new CallEvent.StasisEnded());
                    if (ariDown && recordingLive()) {
                        paymentActive = true;
                    }
                }
                return status;
            });
        } else if (c instanceof CallCommand.Answer a) {
            request(c, a.key(), () -> line == Line.GONE ? 404 : outcome());
        } else if (c instanceof Play p) {
            request(c, p.key(), () -> {
                if (line != Line.STASIS) {
                    return line == Line.GONE ? 404 : 409;
                }
                int status = outcome();
                if (status == 200) {
                    playing.put(p.playbackId(), true);
                    websocket.add(new CallEvent.PlaybackStarted(p.playbackId()));
                    later("a prompt plays to its end", () -> {
                        if (Boolean.TRUE.equals(playing.get(p.playbackId()))) {
                            playing.put(p.playbackId(), false);
                            websocket.add(new CallEvent.PlaybackFinished(p.playbackId(), false));
                        }
                    });
                }
                return status;
            });
        } else if (c instanceof StopPlayback p) {
            request(c, p.key(), () -> {
                if (!Boolean.TRUE.equals(playing.get(p.playbackId()))) {
                    return 404;
                }
                playing.put(p.playbackId(), false);
                websocket.add(new CallEvent.PlaybackFinished(p.playbackId(), false));
                return 200;
            });
        } else if (c instanceof CallCommand.Subscribe s) {
            request(c, s.key(), () -> {
                int status = line == Line.GONE ? 422 : outcome();
                subscribed |= status == 200;
                return status;
            });
        } else if (c instanceof CreateSnoop s) {
            Leg leg = snoopLeg(s.snoopId());
            check(s.spy().equals(stereo ? leg.spy() : settings.recording().spy()), "a snoop channel spying the wrong way");
            request(c, s.key(), () -> {
                int status = line == Line.GONE ? 404 : outcome();
                if (status == 200 || (status == 0 && rnd.nextBoolean())) {
                    snoopExists[leg.ordinal()] = true;
                    websocket.add(new CallEvent.SnoopEnteredStasis(s.snoopId()));
                }
                return status;
            });
        } else if (c instanceof HangupSnoop h) {
            // 404 is success to the shell (the snoop is gone either way)
            Leg leg = snoopLeg(h.snoopId());
            request(c, h.key(), () -> {
                snoopGone(leg);
                return 200;
            });
        } else if (c instanceof PauseRecording p) {
            int i = recordingLeg(p.recordingName()).ordinal();
            request(c, p.key(), () -> {
                if (!recordingLive(i)) {
                    return 404;
                }
                int status = outcome();
                if (status == 200 || (status == 0 && rnd.nextBoolean())) {
                    paused[i] |= p.style() == PauseStyle.SKIP;
                    muted[i] |= p.style() == PauseStyle.SILENCE;
                }
                return status;
            });
        } else if (c instanceof ResumeRecording p) {
            int i = recordingLeg(p.recordingName()).ordinal();
            request(c, p.key(), () -> {
                if (!recordingLive(i)) {
                    return 404;
                }
                int status = outcome();
                if (status == 200 || (status == 0 && rnd.nextBoolean())) {
                    paused[i] &= p.style() != PauseStyle.SKIP;
                    muted[i] &= p.style() != PauseStyle.SILENCE;
                }
                return status;
            });
        } else if (c instanceof StopRecording s) {
            Leg leg = recordingLeg(s.recordingName());
            request(c, s.key(), () -> {
                endRecording(leg);
                return 200;
            });
        } else if (c instanceof DiscardRecording d) {
            Leg leg = recordingLeg(d.recordingName());
            request(c, d.key(), () -> {
                endRecording(leg);
                return 200;
            });
        } else if (c instanceof CallCommand.SetVariable v) {
            request(c, v.key(), () -> line == Line.GONE ? 404 : outcome());
        }
        // SaveState, AppendTimeline, ArchiveRecording, ControlAnswered: nothing comes back to the core
    }

    /** A request: Asterisk handles it later (the status it returns, 0 for no answer), then the answer travels. */
    private void request(CallCommand c, CommandKey key, java.util.function.IntSupplier handle) {
        inFlight.add(c);
        later("Asterisk handles " + c.getClass().getSimpleName(), () -> {
            int status = handle.getAsInt();
            later("the answer to " + c.getClass().getSimpleName(), () -> {
                inFlight.remove(c);
                answered.add(answerName(key));
                deliver(status == 200 ? new CallEvent.CommandSucceeded(key)
                        : new CallEvent.CommandFailed(key, status, "HTTP " + status));
            });
        });
    }

    private static String answerName(CommandKey key) {
        if (key instanceof CommandKey.PlayPrompt p) {
            return "play:" + p.playbackId();
        }
        return key == CallStep.SNOOP ? "snoop" : key == CallStep.RECORD ? "record"
                : key == CallStep.CONTINUE ? "continue" : key.toString();
    }

    /** Mostly fine; sometimes an error, sometimes no answer at all (status 0). */
    private int outcome() {
        int r = rnd.nextInt(100);
        return r < 90 ? 200 : r < 96 ? 500 : 0;
    }

    private boolean recordingLive() {
        return recordingLive(0) || recordingLive(1);
    }

    private boolean recordingLive(int leg) {
        return recordingExists[leg] && !recordingEnded[leg];
    }

    // ---- the invariants --------------------------------------------------------------------------

    private void checkAfterStep() {
        for (Leg leg : Leg.values()) {
            int i = leg.ordinal();
            boolean audio = recordingLive(i) && !paused[i] && !muted[i];
            if (audio && (paymentActive || withdrawn)) {
                // the core has done all it can when a request that ends this leg's audio is on its way. The one
                // exception is by design: a pause triggered while a resume is on its way is queued behind it
                // (two requests in flight could be applied in either order), so audio may flow from the moment
                // Asterisk applies the resume until the queued pause, sent with the resume's answer (every
                // leg's, in stereo), arrives
                String name = CallIds.recordingName(state.callId(), leg);
                String snoop = CallIds.snoopId(state.callId(), leg);
                boolean handled = inFlight.stream().anyMatch(c -> (c instanceof PauseRecording p && p.recordingName().equals(name))
                        || (c instanceof StopRecording st && st.recordingName().equals(name))
                        || (c instanceof DiscardRecording d && d.recordingName().equals(name))
                        || (c instanceof HangupSnoop h && h.snoopId().equals(snoop))
                        || (!withdrawn && c instanceof ResumeRecording));
                check(handled, "audio is recorded on the " + leg + " leg during a payment (or after a withdrawal)"
                        + " and nothing on its way stops it");
            }
        }
        if (state.recording() != null) {
            check(state.recording().stereo() == stereo, "the recording's legs differ from the configured channels");
        }
        if (state.recording() != null && state.recording().state() == RecordingControl.State.PAUSE_PENDING) {
            check(timers.containsKey(TimerKey.PAUSE_DEADLINE), "a pause in flight without its deadline");
        }
        if (state.recording() != null) {
            check(state.recording().triggers().recent().length() <= PaymentTriggers.longestSequence(settings.recording()),
                    "more digits kept than the longest trigger sequence");
        }
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("seed " + seed + ": " + what + "\nlast steps:\n  "
                    + String.join("\n  ", trace.stream().map(Traced::toString).toList())
                    + "\npending: " + workNames + ", websocket " + websocket + ", timers " + timers.keySet());
        }
    }

    /** One step of the trace, written out only when a check fails. */
    private record Traced(CallEvent event, List<CallCommand> commands, boolean payment, boolean withdrawn) {
        @Override
        public String toString() {
            // test digits, not a caller's: the trace shows them (DtmfReceived itself never prints its digit)
            String what = event instanceof CallEvent.DtmfReceived d ? "Dtmf " + d.digit() : event.toString();
            return what + " -> " + commands.stream().map(c -> c.getClass().getSimpleName()).toList()
                    + (payment ? " [payment]" : "") + (withdrawn ? " [withdrawn]" : "");
        }
    }

    private void remember(Traced step) {
        trace.addLast(step);
        if (trace.size() > TRACE) {
            trace.removeFirst();
        }
    }

    static Set<FixtureOrders> none() {
        return EnumSet.noneOf(FixtureOrders.class);
    }
}
