package org.consentrecorder.call;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.call.CallCommand.Answer;
import org.consentrecorder.call.CallCommand.AppendTimeline;
import org.consentrecorder.call.CallCommand.ArchiveRecording;
import org.consentrecorder.call.CallCommand.CancelTimer;
import org.consentrecorder.call.CallCommand.Continue;
import org.consentrecorder.call.CallCommand.ControlAnswered;
import org.consentrecorder.call.CallCommand.CreateSnoop;
import org.consentrecorder.call.CallCommand.DiscardRecording;
import org.consentrecorder.call.CallCommand.Finished;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.LoadPreference;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallCommand.Play;
import org.consentrecorder.call.CallCommand.RecordDecision;
import org.consentrecorder.call.CallCommand.ResumeRecording;
import org.consentrecorder.call.CallCommand.SaveState;
import org.consentrecorder.call.CallCommand.SetVariable;
import org.consentrecorder.call.CallCommand.StartRecording;
import org.consentrecorder.call.CallCommand.StartTimer;
import org.consentrecorder.call.CallCommand.StopPlayback;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CallCommand.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * How the shell carries out each kind of {@link CallCommand}: one handler per command type.
 *
 * <p>A table rather than a chain of {@code instanceof}: Java 17 cannot check a chain over a sealed
 * type for completeness, so a command added to the core and forgotten here would fall through
 * unnoticed. With the table, "no handler" is an explicit answer the shell acts on (it fails closed),
 * a unit test checks that {@link #standard()} covers every permitted {@link CallCommand}, and a
 * test can build a shell whose table lacks one handler to prove the fail-closed path, while the
 * command type itself stays sealed.
 */
final class ShellCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ShellCommands.class);

    /** Carries out one command type for a session. */
    @FunctionalInterface
    interface Handler<C extends CallCommand> {
        void run(CallSession session, C command);
    }

    private final Map<Class<?>, Handler<?>> handlers;

    private ShellCommands(Map<Class<?>, Handler<?>> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    /** Every command the core can return, as production runs it. */
    static ShellCommands standard() {
        Map<Class<?>, Handler<?>> h = new HashMap<>();
        put(h, Answer.class, (s, c) -> s.track(c.key(), () -> s.client().answer(s.channelId())));
        put(h, LoadPreference.class, (s, c) -> s.withinDeadline("reading the caller's preference", false,
                wanted -> s.repository().doNotRecord(c.subject())).onComplete(ar -> {
            if (ar.failed()) {
                LOG.warn("call {}: could not read the caller's preference ({}); asking as usual",
                        s.callId(), ExternalText.forLog(ar.cause().getMessage()));
            }
            s.deliver(new CallEvent.PreferenceLoaded(ar.succeeded() && ar.result()));
        }));
        put(h, Play.class, (s, c) -> s.track(c.key(),
                () -> s.client().play(s.channelId(), c.playbackId(), c.mediaUri(), c.language())));
        put(h, StopPlayback.class, (s, c) -> s.track(c.key(), () -> s.client().stopPlayback(c.playbackId())));
        put(h, StartTimer.class, (s, c) -> s.startTimer(c.key(), c.after().toMillis()));
        put(h, CancelTimer.class, (s, c) -> s.cancelTimer(c.key()));
        put(h, RecordDecision.class, ShellCommands::recordDecision);
        put(h, SaveState.class, (s, c) -> s.saveState(c.snapshot()));
        put(h, SetVariable.class, (s, c) -> s.track(c.key(),
                () -> s.client().setVariable(s.channelId(), c.name(), c.value())));
        put(h, Continue.class, (s, c) -> {
            LOG.info("call {}: continuing in the dialplan at {}", s.callId(), c.target());
            s.track(c.key(), () -> s.client().continueInDialplan(s.channelId(), c.target()));
        });
        put(h, Subscribe.class, (s, c) -> s.track(c.key(), () -> s.client().subscribeToChannel(s.channelId())));
        put(h, CreateSnoop.class, (s, c) -> s.track(c.key(), () -> s.client().snoop(s.channelId(), c.snoopId(), c.spy())));
        put(h, StartRecording.class, (s, c) -> s.track(c.key(),
                () -> s.client().record(c.snoopId(), c.recordingName(), c.format())));
        put(h, HangupSnoop.class, (s, c) -> s.hangupSnoop(c.key(), c.snoopId()));
        put(h, PauseRecording.class, (s, c) -> s.track(c.key(), () -> c.style() == PauseStyle.SKIP
                ? s.client().pauseRecording(c.recordingName()) : s.client().muteRecording(c.recordingName())));
        put(h, ResumeRecording.class, (s, c) -> s.track(c.key(), () -> c.style() == PauseStyle.SKIP
                ? s.client().unpauseRecording(c.recordingName()) : s.client().unmuteRecording(c.recordingName())));
        put(h, StopRecording.class, (s, c) -> s.stopRecording(c.key(), c.recordingName()));
        put(h, DiscardRecording.class, (s, c) -> {
            LOG.info("call {}: consent withdrawn, discarding recording {}", s.callId(), c.recordingName());
            s.track(c.key(), () -> {
                AriClient client = s.client();
                return CallSession.ignoringNotFound(client.cancelRecording(c.recordingName()))
                        .compose(v -> CallSession.ignoringNotFound(client.deleteStoredRecording(c.recordingName())));
            });
        });
        put(h, AppendTimeline.class, (s, c) -> {
            TimelineEntry e = c.entry();
            s.registry().metrics().recordingChanged(e);
            LOG.info("call {}: recording {} {} (trigger {}, offset {} ms)", s.callId(), e.recordingName(),
                    e.change().wire(), e.trigger() == null ? "-" : e.trigger().wire(), e.offsetMs());
            s.appendTimeline(e);
        });
        put(h, ArchiveRecording.class, (s, c) ->
                // if this fails for good, the archive's reconciliation finds the file on Asterisk later
                s.retrying(() -> s.registry().finishedRecordings().recordingFinished(s.callId(), c.recordingName(),
                                c.outRecordingName(), c.outOffsetMillis(), c.consentId(), c.subject(),
                                c.durationSeconds()).mapEmpty())
                        .onFailure(e -> LOG.error("call {}: recording {} could not be handed to the archive: {}",
                                s.callId(), c.recordingName(), ExternalText.forLog(e.getMessage()))));
        put(h, ControlAnswered.class, (s, c) -> s.registry().answerControl(c.requestId(), c.status(), c.detail()));
        put(h, Finished.class, (s, c) -> s.finish(c.outcome()));
        return new ShellCommands(h);
    }

    /** The same table without the handler for one command type: what a shell that does not know it does. */
    ShellCommands without(Class<? extends CallCommand> type) {
        Map<Class<?>, Handler<?>> h = new HashMap<>(handlers);
        h.remove(type);
        return new ShellCommands(h);
    }

    /** The command types this table carries out. */
    Set<Class<?>> known() {
        return handlers.keySet();
    }

    /** Carries the command out; false when there is no handler for its type. */
    @SuppressWarnings("unchecked")
    boolean run(CallSession session, CallCommand command) {
        Handler<CallCommand> handler = (Handler<CallCommand>) handlers.get(command.getClass());
        if (handler == null) {
            return false;
        }
        handler.run(session, command);
        return true;
    }

    private static <C extends CallCommand> void put(Map<Class<?>, Handler<?>> h, Class<C> type, Handler<C> handler) {
        h.put(type, handler);
    }

    private static void recordDecision(CallSession s, RecordDecision c) {
        ConsentEvidence e = c.evidence();
        LOG.info("call {}: consent {} = {} (basis {}, notice {} {}, attempts {})", s.callId(), e.id(),
                e.outcome().wire(), e.lawfulBasis().wire(), e.noticeSetId(), e.noticeVersion(), e.attempts());
        if (c.key() != CommandKey.CallStep.DECISION) {
            // a withdrawal: the recording is discarded whatever the database says and nothing waits
            // for this row, so a late commit is welcome (the insert is idempotent)
            s.track(c.key(), () -> s.retrying(() -> s.repository().recordDecision(e))
                    .onFailure(err -> LOG.error("call {}: consent evidence {} could not be stored: {}",
                            s.callId(), e.id(), ExternalText.forLog(err.getMessage())))
                    .onFailure(err -> s.registry().metrics().evidenceWriteFailed())
                    .onSuccess(v -> s.registry().metrics().decisionRecorded(e.outcome(), e.lawfulBasis())));
            return;
        }
        // the call waits for this one: bounded, so a hung database answers "not stored" in time,
        // and a late answer rolls back instead of leaving evidence the call was not handed back with
        s.track(c.key(), () -> s.withinDeadline("storing consent evidence " + e.id(), true,
                        wanted -> s.retrying(() -> s.repository().recordDecision(e, wanted), wanted))
                .onFailure(err -> LOG.error("call {}: consent evidence {} could not be stored: {}",
                        s.callId(), e.id(), ExternalText.forLog(err.getMessage())))
                .onFailure(err -> s.registry().metrics().evidenceWriteFailed())
                // counted once stored: a decision that could not be written is not evidence
                .onSuccess(v -> s.registry().metrics().decisionRecorded(e.outcome(), e.lawfulBasis())));
    }
}
