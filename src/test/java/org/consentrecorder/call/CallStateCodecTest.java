package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.consentrecorder.call.CallCommand.PauseRecording;
import org.consentrecorder.call.CallRepository.ActiveCall;
import org.junit.jupiter.api.Test;

/**
 * The saved core state (the call table's core_state) reads back as the state that was saved, and
 * holds no personal data and no digit: those come back from the columns and the evidence.
 */
class CallStateCodecTest {
    private static final CallSettings SETTINGS = FlowHarness.settings(LawfulBasis.CONSENT);

    /** The row the repository would read back for this snapshot. */
    private static ActiveCall row(CallStateSnapshot s, JsonObject coreState) {
        CallFacts f = s.state().facts();
        return new ActiveCall(s.callId(), f.channel().id(), f.channel().name(), f.channel().linkedId(),
                f.asteriskId(), f.startedAt(), s.outcome(), s.consentId(), s.recordingName(), s.snoopId(),
                s.recordingState(), s.paused(), s.phase().wire(), f.subject(), 7, coreState);
    }

    /** What never survives a restart: the digits kept for the triggers and the API requests waiting. */
    private static CallState withoutTransients(CallState s) {
        RecordingControl r = s.recording();
        if (r == null) {
            return s;
        }
        return s.withRecording(new RecordingControl(r.recordingName(), r.snoopId(), r.state(), r.requestSeq(),
                r.inFlight(), r.queued(), r.clock(), r.ended(), PaymentTriggers.none(), List.of()));
    }

    private static FlowHarness pausedWithDigitsAndARequestWaiting() {
        FlowHarness h = new FlowHarness(SETTINGS);
        h.toDialplanRecording();
        PauseRecording p = FlowHarness.only(h.send(new CallEvent.UserEvent("PaymentStart")), PauseRecording.class);
        h.advance(Duration.ofMillis(3), new CallEvent.CommandSucceeded(p.key()));
        for (char d : "4929123".toCharArray()) {
            h.advance(Duration.ofMillis(150), new CallEvent.DtmfReceived(d));
        }
        h.send(new CallEvent.ControlRequested(UUID.randomUUID(), ControlAction.RESUME, "api:agent-7"));
        return h;
    }

    @Test
    void givenARecordedCallPausedWithARequestInFlight_thenItReadsBackAsSaved() {
        FlowHarness h = pausedWithDigitsAndARequestWaiting();
        CallStateSnapshot saved = CallStateSnapshot.of(h.state);
        assertFalse(h.state.recording().pendingRequests().isEmpty(), "the test saves a state with a request waiting");
        JsonObject json = CallStateCodec.encode(h.state);
        CallState read = CallStateCodec.decode(new JsonObject(json.encode()), row(saved, json), h.state.decision(), SETTINGS);
        assertEquals(withoutTransients(h.state), read);
        assertEquals(RecordingControl.State.RESUME_PENDING, read.recording().state());
    }

    @Test
    void givenACallInTheDialogue_thenItReadsBackButForWhatOnlyTheEvidenceHolds() {
        FlowHarness h = new FlowHarness(SETTINGS);
        h.toWaiting();
        h.send(new CallEvent.DtmfReceived('7'));
        CallStateSnapshot saved = CallStateSnapshot.of(h.state);
        JsonObject json = CallStateCodec.encode(h.state);
        CallState read = CallStateCodec.decode(json, row(saved, json), null, SETTINGS);
        assertNull(read.facts().channel().callerNumber(), "the number is in the evidence only");
        assertEquals("", read.dialogue().keys(), "and so are the keys");
        assertEquals(h.state.dialogue().playedUris(), read.dialogue().playedUris());
        assertEquals(h.state.dialogue().attempts(), read.dialogue().attempts());
        assertEquals(h.state.dialogue().current(), read.dialogue().current());
        assertEquals(h.state.phase(), read.phase());
        assertEquals(h.state.consentId(), read.consentId());
        assertEquals(h.state.facts().notice(), read.facts().notice());
        assertEquals(h.state.facts().subject(), read.facts().subject());
    }

    @Test
    void theSavedStateHoldsNoCallerDataAndNoDigit() {
        FlowHarness h = pausedWithDigitsAndARequestWaiting();
        String json = CallStateCodec.encode(h.state).encode();
        for (String secret : List.of("5551230001", "Test Caller", "4929", "PJSIP/sipp", FlowHarness.CHANNEL)) {
            assertFalse(json.contains(secret), secret + " in " + json);
        }
        assertTrue(json.contains(h.state.recordingName()), "the test looks at a real state: " + json);
    }

    @Test
    void aStateOfAnUnknownVersionIsRefused() {
        FlowHarness h = new FlowHarness(SETTINGS);
        h.toDialplanRecording();
        JsonObject json = CallStateCodec.encode(h.state).put("v", CallStateCodec.VERSION + 1);
        ActiveCall row = row(CallStateSnapshot.of(h.state), json);
        assertThrows(IllegalArgumentException.class, () -> CallStateCodec.decode(json, row, h.state.decision(), SETTINGS));
    }
}
