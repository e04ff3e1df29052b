package org.consentrecorder.call;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CommandKey.CallStep;

/** Drives the {@link CallCore} with a fake clock, keeps its state, and records every command it returns. */
final class FlowHarness {
    static final UUID CALL = UUID.fromString("11111111-2222-3333-4444-555555555555");
    static final UUID CONSENT = UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    static final String CHANNEL = "1795538447.40";

    final CallCore core;
    CallState state = CallState.initial(CALL, CONSENT);
    final List<CallCommand> all = new ArrayList<>();
    Instant now = Instant.parse("2026-11-24T16:40:47.714Z");

    FlowHarness(CallSettings settings) {
        core = new CallCore(settings);
    }

    static NoticeSet notices(String id, String language) {
        return new NoticeSet(id, language, id + "-v1",
                new Prompt("sound:consent-recorder/notice-consent", "We record calls for quality, only with your permission."),
                new Prompt("sound:consent-recorder/choice-consent", "To allow recording, press 1. To decline, press 2."),
                new Prompt("sound:consent-recorder/invalid-choice", "Sorry, that is not a valid choice."),
                new Prompt("sound:consent-recorder/not-recorded", "As you asked before, this call will not be recorded."),
                id.equals("de") ? Set.of("4930123") : Set.of());
    }

    static CallSettings settings(LawfulBasis basis) {
        return settings(basis, RecordingSettings.defaults());
    }

    static CallSettings settings(LawfulBasis basis, RecordingSettings recording) {
        NoticeCatalog catalog = new NoticeCatalog(List.of(notices("en", "en"), notices("de", "de")), "en");
        IvrSettings ivr = new IvrSettings(basis, '1', '2', Duration.ofSeconds(8), 2, Duration.ofSeconds(90),
                Duration.ofSeconds(4), catalog,
                ContinueTargets.nextPriority(), new CallerIdentity("49"));
        return new CallSettings(ivr, recording);
    }

    List<CallCommand> send(CallEvent e) {
        CallCore.Next next = core.next(state, e, now);
        state = next.state();
        all.addAll(next.commands());
        return next.commands();
    }

    List<CallCommand> advance(Duration d, CallEvent e) {
        now = now.plus(d);
        return send(e);
    }

    List<CallCommand> start(String callerNumber) {
        return send(new CallEvent.Started(new ChannelSnapshot(CHANNEL, "PJSIP/sipp-00000003", callerNumber,
                "Test Caller", "100", "en", "1795538447.39"), List.of("inbound"), "02:fc:00:00:00:01"));
    }

    List<CallCommand> ok(CommandKey key) {
        return send(new CallEvent.CommandSucceeded(key));
    }

    List<CallCommand> fail(CommandKey key, int status) {
        return send(new CallEvent.CommandFailed(key, status, "error " + status));
    }

    static CommandKey variable(String name) {
        return new CommandKey.SetChannelVariable(name);
    }

    /** Started, answered, no preference on file: the notice is playing. Returns its playback id. */
    String toNotice() {
        start("+15551230001");
        ok(CallStep.ANSWER);
        List<CallCommand> out = send(new CallEvent.PreferenceLoaded(false));
        Play play = only(out, Play.class);
        send(new CallEvent.PlaybackStarted(play.playbackId()));
        return play.playbackId();
    }

    /** Notice heard to the end, choice prompt heard to the end: waiting for a key. */
    void toWaiting() {
        String notice = toNotice();
        Play choice = only(send(new CallEvent.PlaybackFinished(notice, false)), Play.class);
        send(new CallEvent.PlaybackStarted(choice.playbackId()));
        send(new CallEvent.PlaybackFinished(choice.playbackId(), false));
    }

    /** A granted call taken through recording setup into the dialplan. */
    void toDialplanRecording() {
        toWaiting();
        send(new CallEvent.DtmfReceived('1'));
        ok(CallStep.DECISION);
        ok(CallStep.SUBSCRIBE);
        send(new CallEvent.SnoopEnteredStasis(state.snoopChannelId()));
        ok(CallStep.SNOOP);
        ok(CallStep.RECORD);
        ok(variable(Handback.VAR_OUTCOME));
        ok(variable(Handback.VAR_CONSENT_ID));
        ok(variable(Handback.VAR_RECORDING));
        ok(CallStep.CONTINUE);
        send(new CallEvent.StasisEnded());
    }

    static <T extends CallCommand> T only(List<CallCommand> out, Class<T> type) {
        List<T> found = of(out, type);
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " in " + out);
        }
        return found.get(0);
    }

    static <T extends CallCommand> List<T> of(List<CallCommand> out, Class<T> type) {
        return out.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends CallCommand> List<T> allOf(Class<T> type) {
        return of(all, type);
    }

    boolean any(Predicate<CallCommand> p) {
        return all.stream().anyMatch(p);
    }
}
