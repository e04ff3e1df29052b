package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.RestartablePostgres;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.ari.FakeAsterisk.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped, or hung (SIGSTOP), while calls run: a caller who arrives meanwhile is handed
 * back to the dialplan within the documented bound with outcome {@code error} and unrecorded; a
 * recorded call keeps pausing (the pause path never waits for the database); once the database is
 * back, no evidence claims what the call was not told, a new call is recorded normally and the
 * archive takes in the recording made during the outage.
 */
class DatabaseOutageTest {
    /**
     * The bound README and docs/operations.md promise: the preference read and the evidence write
     * each give up after {@link CallSession#DATABASE_DEADLINE}; the dialogue in between takes what it
     * takes without a database (here short prompts, the caller presses 1 after the choice). The
     * margin is for ARI round trips and a loaded machine.
     */
    private static final Duration HANDED_BACK_WITHIN = CallSession.DATABASE_DEADLINE.multipliedBy(2)
            .plus(Duration.ofSeconds(5));
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Map<String, String> ENV = Map.of(
            "CR_PAUSE_STYLE", "skip",
            // the recording made during the outage is found on Asterisk again soon after
            "CR_ARCHIVE_RECONCILE", "1s");

    private AppHarness h;
    private RestartablePostgres pg;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void givenAStoppedDatabase_callsAreHandedBackUnrecordedAndTheArchiveCatchesUpAfterwards() throws Exception {
        outage(pg -> pg.stop(), pg -> pg.restart());
    }

    @Test
    void givenAHungDatabase_callsAreHandedBackUnrecordedAndTheArchiveCatchesUpAfterwards() throws Exception {
        outage(RestartablePostgres::freeze, RestartablePostgres::thaw);
    }

    private interface Fault {
        void apply(RestartablePostgres pg);
    }

    private void outage(Fault fail, Fault recover) throws Exception {
        pg = RestartablePostgres.start();
        h = AppHarness.start(FakeAsterisk.start(), pg.server(), ENV);
        String running = recordedCall("+15551239001");
        String recording = recordingOf(running);

        fail.apply(pg);

        // the recorded call still pauses and resumes for a payment: Asterisk only, no database
        h.asterisk.userEvent(running, "PaymentStart");
        h.asterisk.awaitRequest("POST", "/ari/recordings/live/" + recording + "/pause", WAIT);
        assertEquals("paused", h.asterisk.liveState(recording));
        h.asterisk.userEvent(running, "PaymentEnd");
        h.asterisk.awaitRequest("DELETE", "/ari/recordings/live/" + recording + "/pause", WAIT);

        // a new caller arrives and wants to be recorded: the evidence cannot be stored
        int recordsBefore = h.asterisk.requests("POST", "/ari/channels/.*/record").size();
        long arrived = System.nanoTime();
        String stranded = h.asterisk.placeCall("+15551239002");
        String esc = stranded.replace(".", "\\.");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc + "/play").size() >= 2,
                HANDED_BACK_WITHIN);
        h.asterisk.pressDtmf(stranded, '1');
        h.asterisk.await("the caller handed back to the dialplan",
                () -> h.asterisk.location(stranded).startsWith("dialplan:"), HANDED_BACK_WITHIN);
        Duration took = Duration.ofNanos(System.nanoTime() - arrived);
        assertTrue(took.compareTo(HANDED_BACK_WITHIN) <= 0, "handed back after " + took);
        Map<String, String> vars = h.asterisk.variables(stranded);
        assertEquals("error", vars.get("CONSENT_OUTCOME"), "nothing stored, nothing claimed: " + vars);
        assertEquals("0", vars.get("CONSENT_RECORDING"));
        assertEquals("", vars.get("CONSENT_ID"), "no evidence row to point at");
        assertTrue(h.asterisk.requests("POST", "/ari/channels/" + esc + "/snoop.*").isEmpty(), "no snoop channel");
        assertEquals(recordsBefore, h.asterisk.requests("POST", "/ari/channels/.*/record").size(), "no recording");

        // the recorded call ends while the database is still away
        h.asterisk.callerHangsUp(running);
        h.asterisk.callerHangsUp(stranded);
        Thread.sleep(500);

        recover.apply(pg);

        // a new call is recorded normally
        String after = recordedCall("+15551239003");
        h.awaitRows("select 1 from consent_decision where channel_id = $1 and outcome = 'granted'", after);

        // the archive takes in the recording made during the outage, and Asterisk's copy goes
        UUID id = ArchiveRepository.recordingId(recording);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        h.asterisk.await("Asterisk's copy deleted", () -> h.asterisk.wasDeleted(recording), WAIT);

        // what could not be written meanwhile is written once the database is back, in order
        h.awaitRows("select 1 from call where channel_id = $1 and ended_at is not null", running);
        h.awaitRows("select 1 from call where channel_id = $1 and ended_at is not null and outcome = 'error' "
                + "and recording_name is null", stranded);
        UUID runningId = (UUID) h.rows("select id from call where channel_id = $1", running).get(0).get("id");
        h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'ended'", runningId);
        assertEquals(List.of("started", "paused", "resumed", "ended"), h.rows(
                "select change from recording_timeline where call_id = $1 order by id", runningId)
                .stream().map(r -> r.get("change")).toList());

        // nothing claims what the stranded caller was not told
        List<Map<String, Object>> evidence = h.rows("select outcome from consent_decision where channel_id = $1", stranded);
        assertTrue(evidence.stream().noneMatch(r -> "granted".equals(r.get("outcome"))),
                "no granted evidence for a call told error: " + evidence);
        for (Map<String, Object> call : h.rows("select id, outcome, recording_state from call where channel_id = $1", stranded)) {
            assertNotEquals("granted", call.get("outcome"), "the call row claims no consent: " + call);
            assertEquals(0, h.rows("select 1 from recording where call_id = $1", call.get("id")).size(),
                    "no recording for the stranded call");
        }
        // every recording in the archive has its granted evidence
        assertEquals(List.of(), h.rows("select r.id from recording r left join consent_decision d "
                + "on d.id = r.consent_id and d.outcome = 'granted' where d.id is null"));
    }

    private String recordedCall(String caller) {
        String ch = h.asterisk.placeCall(caller);
        String esc = ch.replace(".", "\\.");
        h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc + "/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        assertEquals("1", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
        h.awaitRows("select 1 from call where channel_id = $1 and phase = 'in_dialplan'", ch);
        return ch;
    }

    private String recordingOf(String channel) {
        UUID callId = (UUID) h.rows("select id from call where channel_id = $1", channel).get(0).get("id");
        String name = CallIds.recordingName(callId);
        h.asterisk.await("the recording live", () -> "recording".equals(h.asterisk.liveState(name)), WAIT);
        return name;
    }
}
