package org.consentrecorder.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.consentrecorder.call.CallCommand.DiscardRecording;
import org.consentrecorder.call.CallCommand.HangupSnoop;
import org.consentrecorder.call.CallCommand.StopRecording;
import org.consentrecorder.call.CommandKey.RecordingEnd;
import org.consentrecorder.call.RecordingControl.State;

/**
 * A live recording after a restart: what this process may assume of a {@link RecordingControl}
 * an earlier process left, and what it sends to be sure. Apart from the control because these
 * rules only apply once, at take-over, and rest on what is not known (what was in flight when the
 * process died, whether a mute was spent).
 */
final class RecordingTakeover {
    private RecordingTakeover() {
    }

    /**
     * A recording known only from the columns and the timeline an earlier version wrote (no saved
     * core state): when it started, how much was cut out by earlier pauses, and whether (and how)
     * it is paused now. Whether a mute was spent is not known: none is sent again.
     */
    static RecordingControl restore(String recordingName, String snoopId, Instant startedAt, long cutMillisBefore,
                                    Instant pausedSince, PauseStyle pausedStyle) {
        boolean paused = pausedSince != null;
        RecordingClock clock = new RecordingClock(startedAt, pausedSince, cutMillisBefore,
                paused ? (pausedStyle != null ? pausedStyle : PauseStyle.SKIP) : null, true);
        return new RecordingControl(recordingName, snoopId, paused ? State.PAUSED : State.RECORDING, 0, null, null,
                clock, false, PaymentTriggers.none(), List.of());
    }

    /**
     * This process took the recording over: nothing sent before is in flight any more, API requests
     * and digits are gone, and whether a mute was spent is not certain. When either side says
     * paused, it is paused, and the pause is sent again: harmless when Asterisk is paused (204),
     * essential when a resume was accepted just before the crash. A recording that was running is
     * paused too (unless CR_OUTAGE_PAUSE=false): triggers raised while nobody listened are lost. A
     * recording that was being stopped or discarded is stopped or discarded again (both are
     * idempotent). A stereo recording is paused when either leg is paused on Asterisk (the caller
     * says which), and every pause goes to both legs.
     */
    static RecordingControl.Step takenOver(RecordingControl r, RecordingSettings s, boolean pausedOnAsterisk,
                                           Instant now) {
        List<CallCommand> out = new ArrayList<>();
        RecordingClock clock = r.clock();
        RecordingClock known = clock.takenOver(clock.pausedSince(), clock.style());
        switch (r.state()) {
            case STOPPED -> {
                for (Leg leg : r.legs()) {
                    out.add(new StopRecording(RecordingEnd.FAIL_CLOSED_STOP, r.recordingNameOf(leg)));
                    out.add(new HangupSnoop(RecordingEnd.FAIL_CLOSED_SNOOP, r.snoopIdOf(leg)));
                }
                return r.with(r.state(), null, null, known, PaymentTriggers.none(), List.of()).step(out);
            }
            case DISCARDED -> {
                for (Leg leg : r.legs()) {
                    out.add(new DiscardRecording(RecordingEnd.DISCARD, r.recordingNameOf(leg)));
                    out.add(new HangupSnoop(RecordingEnd.DISCARD_SNOOP, r.snoopIdOf(leg)));
                }
                return r.with(r.state(), null, null, known, PaymentTriggers.none(), List.of()).step(out);
            }
            case ENDED -> {
                return r.with(r.state(), null, null, known, PaymentTriggers.none(), List.of()).step(out);
            }
            default -> {
            }
        }
        if (!pausedOnAsterisk && !r.isPaused()) {
            RecordingControl recording = r.with(State.RECORDING, null, null, clock.takenOver(null, clock.style()),
                    PaymentTriggers.none(), List.of());
            // Between the last event the earlier process heard and this take-over nobody listened, and Asterisk
            // replays nothing: a payment trigger raised in that gap is lost, and the caller may be reading out a
            // card now. As on any loss of events (CR_OUTAGE_PAUSE), paused until an explicit resume.
            return s.pauseOnOutage() ? recording.onOutage(s, now) : recording.step(out);
        }
        // Asterisk reports an ARI pause, never a mute; unknown: ARI pause, the style it reports back
        PauseStyle style = pausedOnAsterisk || clock.style() == null ? PauseStyle.SKIP : clock.style();
        RecordingClock paused = clock.takenOver(clock.pausedSince() != null ? clock.pausedSince() : now, style);
        return r.with(State.PAUSED, null, null, paused, PaymentTriggers.none(), List.of())
                .reassert(s, TriggerKind.API, "re-asserted after take-over", now, out).step(out);
    }
}
