package org.consentrecorder.console;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.testing.AppHarness;

/** Calls for the console to show, made the real way: through the ARI double, archived by the application. */
final class ConsoleFixtures {
    private final AppHarness h;

    ConsoleFixtures(AppHarness h) {
        this.h = h;
    }

    /** A call that is being recorded (the caller pressed 1); its row. */
    Map<String, Object> recordingCall(String caller) {
        String channel = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + channel + "/play").size() == 2,
                AppHarness.WAIT);
        h.asterisk.pressDtmf(channel, '1');
        return h.awaitRows("select * from call where channel_id = $1 and recording_state = 'recording'", channel).get(0);
    }

    /** A call the caller declined; its id. */
    UUID declinedCall(String caller) {
        String channel = h.asterisk.placeCall(caller);
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + channel + "/play").size() == 2,
                AppHarness.WAIT);
        h.asterisk.pressDtmf(channel, '2');
        return (UUID) h.awaitRows("select id from call where channel_id = $1 and outcome = 'declined'", channel).get(0).get("id");
    }

    /** A recorded call with one payment pause in it, hung up and archived; the recording's id. */
    Recorded archivedCallWithAPause(String caller) throws InterruptedException {
        Map<String, Object> call = recordingCall(caller);
        String channel = (String) call.get("channel_id");
        UUID callId = (UUID) call.get("id");
        String name = (String) call.get("recording_name");
        Thread.sleep(1200);
        h.asterisk.userEvent(channel, "PaymentStart");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'paused'", callId);
        Thread.sleep(1500);
        h.asterisk.userEvent(channel, "PaymentEnd");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'resumed'", callId);
        Thread.sleep(1200);
        h.asterisk.callerHangsUp(channel);
        UUID recordingId = ArchiveRepository.recordingId(name);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", recordingId);
        return new Recorded(callId, recordingId, name);
    }

    /** A recorded call without a pause, hung up and archived: the shortest way to an archived recording. */
    Recorded archivedCall(String caller) throws InterruptedException {
        // a second of audio, so that the file has something to play
        return archivedCall(caller, 1000);
    }

    /** As above, recorded for about this long (the double records in real time). */
    Recorded archivedCall(String caller, long millis) throws InterruptedException {
        Map<String, Object> call = recordingCall(caller);
        String channel = (String) call.get("channel_id");
        String name = (String) call.get("recording_name");
        Thread.sleep(millis);
        h.asterisk.callerHangsUp(channel);
        UUID recordingId = ArchiveRepository.recordingId(name);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", recordingId);
        return new Recorded((UUID) call.get("id"), recordingId, name);
    }

    record Recorded(UUID callId, UUID recordingId, String name) {
    }

    /**
     * Ended calls on the days before today (UTC), for the daily statistics: the retention job
     * counts a day once it is over.
     */
    void pastCalls() {
        List<String> outcomes = List.of("granted", "granted", "granted", "declined", "no_response", "granted",
                "abandoned", "do_not_record", "granted", "declined");
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        int n = 0;
        for (int day = 1; day <= 10; day++) {
            for (int i = 0; i < 2 + (day * 7) % 5; i++) {
                OffsetDateTime started = today.minusDays(day).atTime(9 + i, 15).atOffset(ZoneOffset.UTC);
                UUID id = UUID.randomUUID();
                h.rows("insert into call (id, channel_id, caller_subject, started_at, phase, outcome, recording_state, "
                                + "ended_at, state_seq) values ($1, $2, $3, $4, 'ended', $5, 'none', $6, 1)",
                        id, "past-" + id, "+4930555" + String.format("%04d", n), started,
                        outcomes.get((day + i) % outcomes.size()), started.plusMinutes(3));
                n++;
            }
        }
    }
}
