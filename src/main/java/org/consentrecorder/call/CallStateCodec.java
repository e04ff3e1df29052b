package org.consentrecorder.call;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.consentrecorder.call.CallRepository.ActiveCall;
import org.consentrecorder.call.CallState.EvidenceWrite;
import org.consentrecorder.call.CommandKey.RecordingRequest;
import org.consentrecorder.call.DialogueState.PromptKind;
import org.consentrecorder.call.DialogueState.Prompting;

/**
 * The call state as the JSON of the call table's core_state column, and back; and the state of a
 * call an earlier version saved without it (columns and timeline only).
 *
 * <p>What is not written, on purpose: personal data (caller number and name, subject, channel
 * id and name, the keys pressed) stays in the columns and the evidence rows that erasure and
 * retention know about, and is taken from there when the state is read back (the caller's number
 * and name and the keys only exist there once the caller decided); the caller's recent digits
 * (possibly card data) and pending API requests are never persisted and do not survive a restart.
 */
final class CallStateCodec {
    static final int VERSION = 1;

    private CallStateCodec() {
    }

    static JsonObject encode(CallState s) {
        return new JsonObject()
                .put("v", VERSION)
                .put("consent_id", s.consentId().toString())
                .put("phase", s.phase().wire())
                .put("notice", s.facts() == null ? null : s.facts().notice().id())
                .put("dialled", s.facts() == null ? null : s.facts().channel().dialledNumber())
                .put("language", s.facts() == null ? null : s.facts().channel().language())
                .put("channel_gone", s.channelGone())
                .put("stasis_ended", s.stasisEnded())
                .put("ari_down", s.ariDown())
                .put("outcome", s.outcome() == null ? null : s.outcome().wire())
                .put("evidence", lower(s.evidence()))
                .put("dialogue", dialogue(s.dialogue()))
                .put("setup", new JsonObject().put("snoop_id", s.setup().snoopId())
                        .put("snoop_answered", s.setup().snoopAnswered()).put("snoop_in_stasis", s.setup().snoopInStasis())
                        .put("record_requested", s.setup().recordRequested()).put("failure", s.setup().failure())
                        // a stereo call's second leg (absent for mono: states saved before stereo read as mono)
                        .put("out_snoop_id", s.setup().outSnoopId())
                        .put("out_snoop_answered", s.setup().outSnoopAnswered())
                        .put("out_snoop_in_stasis", s.setup().outSnoopInStasis())
                        .put("records_answered", s.setup().recordsAnswered())
                        .put("records_accepted", s.setup().recordsAccepted())
                        .put("in_started_at", text(s.setup().inStartedAt()))
                        .put("out_started_at", text(s.setup().outStartedAt())))
                .put("handback", new JsonObject().put("pending_variables", s.handback().pendingVariables())
                        .put("continue_attempts", s.handback().continueAttempts()))
                .put("recording", s.recording() == null ? null : recording(s.recording()))
                .put("recording_end_handled", s.recordingEndHandled());
    }

    /**
     * The state saved in core_state, completed from the row's columns and the decision it points
     * at (null before the caller decided).
     */
    static CallState decode(JsonObject j, ActiveCall row, ConsentEvidence decision, CallSettings cfg) {
        if (j.getInteger("v", 0) != VERSION) {
            throw new IllegalArgumentException("call state version " + j.getValue("v") + " is not known here");
        }
        CallPhase phase = CallPhase.fromWire(j.getString("phase"));
        String noticeId = j.getString("notice");
        CallFacts facts = noticeId == null ? null : facts(row, decision, j.getString("dialled"), j.getString("language"),
                cfg.ivr().notices().byId(noticeId).orElse(cfg.ivr().notices().defaultSet()));
        JsonObject d = j.getJsonObject("dialogue");
        JsonObject cur = d.getJsonObject("current");
        DialogueState dialogue = new DialogueState(d.getBoolean("answered"), d.getBoolean("preference_known"),
                d.getBoolean("do_not_record_on_file"), d.getInteger("playback_seq"),
                cur == null ? null : new Prompting(cur.getString("playback_id"), upper(PromptKind.class, cur.getString("kind"))),
                d.getBoolean("invalid_after_stop"), strings(d.getJsonArray("played_uris")),
                instant(d.getString("notice_started_at")), d.getBoolean("notice_completed"), d.getInteger("attempts"),
                decision == null ? "" : decision.keysPressed(), d.getBoolean("closing_stop_pending"),
                d.getString("unstopped"));
        JsonObject st = j.getJsonObject("setup");
        RecordingSetup.State setup = new RecordingSetup.State(st.getString("snoop_id"), st.getBoolean("snoop_answered"),
                st.getBoolean("snoop_in_stasis"), st.getBoolean("record_requested"), st.getString("failure"),
                st.getString("out_snoop_id"), st.getBoolean("out_snoop_answered", false),
                st.getBoolean("out_snoop_in_stasis", false), st.getInteger("records_answered", 0),
                st.getInteger("records_accepted", 0), instant(st.getString("in_started_at")),
                instant(st.getString("out_started_at")));
        JsonObject h = j.getJsonObject("handback");
        String outcome = j.getString("outcome");
        return new CallState(row.callId(), java.util.UUID.fromString(j.getString("consent_id")), phase,
                facts, j.getBoolean("channel_gone"), j.getBoolean("stasis_ended"), j.getBoolean("ari_down"),
                outcome == null ? null : Outcome.fromWire(outcome), decision,
                upper(EvidenceWrite.class, j.getString("evidence")), dialogue, setup,
                new Handback.State(h.getInteger("pending_variables"), h.getInteger("continue_attempts")),
                j.getJsonObject("recording") == null ? null : recording(j.getJsonObject("recording")),
                j.getBoolean("recording_end_handled"));
    }

    /**
     * A recorded call in the dialplan saved by a version without core_state: its decision as stored,
     * its recording as the columns, the timeline and Asterisk describe it (what that version's
     * take-over used).
     */
    static CallState fromLegacyRow(ActiveCall row, ConsentEvidence decision, CallRepository.RecordingClock timeline,
                                   boolean pausedOnAsterisk, Instant now, CallSettings cfg) {
        boolean pausedNow = pausedOnAsterisk || row.paused();
        Instant started = timeline.startedAt() != null ? timeline.startedAt() : row.startedAt();
        Instant pausedSince = pausedNow ? (timeline.pausedSince() != null ? timeline.pausedSince() : now) : null;
        // Asterisk reports "paused" only for ARI pause; a mute is known from the timeline
        PauseStyle style = pausedOnAsterisk ? PauseStyle.SKIP : timeline.pausedStyle();
        RecordingControl recording = RecordingTakeover.restore(row.recordingName(), row.snoopId(), started,
                timeline.cutMillis(), pausedSince, style);
        NoticeSet notice = cfg.ivr().notices().byId(decision.noticeSetId()).orElse(cfg.ivr().notices().defaultSet());
        DialogueState dialogue = new DialogueState(true, true, false, 0, null, false, decision.soundUris(),
                decision.noticeStartedAt(), decision.noticeCompleted(), decision.attempts(), decision.keysPressed(), false,
                null);
        RecordingSetup.State setup = new RecordingSetup.State(row.snoopId(), true, true, true, null);
        return new CallState(row.callId(), decision.id(), CallPhase.IN_DIALPLAN,
                facts(row, decision, decision.dialledNumber(), decision.language(), notice), false,
                true, false, decision.outcome(), decision, EvidenceWrite.WRITTEN, dialogue, setup,
                Handback.State.initial(), recording, false);
    }

    private static CallFacts facts(ActiveCall row, ConsentEvidence d, String dialled, String language,
                                   NoticeSet notice) {
        ChannelSnapshot channel = new ChannelSnapshot(row.channelId(), row.channelName(),
                d == null ? null : d.callerNumber(), d == null ? null : d.callerName(), dialled, language, row.linkedId());
        return new CallFacts(channel, row.asteriskId(), notice, row.callerSubject(), row.startedAt());
    }

    private static JsonObject dialogue(DialogueState d) {
        Prompting p = d.current();
        return new JsonObject().put("answered", d.answered()).put("preference_known", d.preferenceKnown())
                .put("do_not_record_on_file", d.doNotRecordOnFile()).put("playback_seq", d.playbackSeq())
                .put("current", p == null ? null : new JsonObject().put("playback_id", p.playbackId())
                        .put("kind", lower(p.kind())))
                .put("invalid_after_stop", d.invalidAfterStop()).put("played_uris", new JsonArray(d.playedUris()))
                .put("notice_started_at", text(d.noticeStartedAt())).put("notice_completed", d.noticeCompleted())
                .put("attempts", d.attempts()).put("closing_stop_pending", d.closingStopPending())
                .put("unstopped", d.unstopped());
    }

    private static JsonObject recording(RecordingControl r) {
        RecordingControl.InFlight f = r.inFlight();
        RecordingControl.Queued q = r.queued();
        RecordingClock c = r.clock();
        return new JsonObject().put("name", r.recordingName()).put("snoop_id", r.snoopId()).put("state", lower(r.state()))
                .put("request_seq", r.requestSeq())
                .put("in_flight", f == null ? null : new JsonObject().put("seq", f.key().seq())
                        .put("kind", lower(f.key().kind())).put("trigger", lower(f.trigger())).put("detail", f.detail())
                        .put("requested_at", text(f.requestedAt())).put("legs_answered", f.legsAnswered())
                        .put("legs_refused", f.legsRefused()).put("refusal_status", f.refusalStatus()))
                .put("queued", q == null ? null : new JsonObject().put("action", lower(q.action()))
                        .put("trigger", lower(q.trigger())).put("detail", q.detail()))
                .put("clock", new JsonObject().put("started_at", text(c.startedAt()))
                        .put("paused_since", text(c.pausedSince())).put("cut_ms", c.cutMillis())
                        .put("style", lower(c.style())).put("mute_spent", c.muteSpent()))
                .put("ended", r.ended())
                .put("out", r.out() == null ? null : new JsonObject().put("name", r.out().recordingName())
                        .put("snoop_id", r.out().snoopId()))
                .put("legs_finished", r.legsFinished());
    }

    private static RecordingControl recording(JsonObject j) {
        JsonObject f = j.getJsonObject("in_flight");
        JsonObject q = j.getJsonObject("queued");
        JsonObject c = j.getJsonObject("clock");
        JsonObject out = j.getJsonObject("out");
        return new RecordingControl(j.getString("name"), j.getString("snoop_id"),
                upper(RecordingControl.State.class, j.getString("state")), j.getInteger("request_seq"),
                f == null ? null : new RecordingControl.InFlight(new RecordingRequest(f.getInteger("seq"),
                        upper(RecordingRequest.Kind.class, f.getString("kind"))),
                        upper(TriggerKind.class, f.getString("trigger")), f.getString("detail"),
                        instant(f.getString("requested_at")), f.getInteger("legs_answered", 0),
                        f.getInteger("legs_refused", 0), f.getInteger("refusal_status", -1)),
                q == null ? null : new RecordingControl.Queued(upper(ControlAction.class, q.getString("action")),
                        upper(TriggerKind.class, q.getString("trigger")), q.getString("detail")),
                new RecordingClock(instant(c.getString("started_at")), instant(c.getString("paused_since")),
                        c.getLong("cut_ms"), upper(PauseStyle.class, c.getString("style")), c.getBoolean("mute_spent")),
                j.getBoolean("ended"), PaymentTriggers.none(), List.of(),
                out == null ? null : new RecordingControl.OutLeg(out.getString("name"), out.getString("snoop_id")),
                j.getInteger("legs_finished", 0));
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add((String) v));
        return out;
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    private static String lower(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E upper(Class<E> type, String s) {
        return s == null ? null : Enum.valueOf(type, s.toUpperCase(Locale.ROOT));
    }
}
