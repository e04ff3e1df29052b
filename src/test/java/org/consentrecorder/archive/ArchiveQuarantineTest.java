package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.archive.QuarantineDecision.Kind;
import org.consentrecorder.archive.QuarantinedRecording.Status;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation never destroys what it does not understand: a recording on Asterisk whose call is
 * not in the database (the database was restored from a backup older than the call) is kept and
 * quarantined, and goes only by an explicit decision or when the grace period passes.
 */
class ArchiveQuarantineTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CALLER = "+15551230499";
    /** Stored unchanged (CR_ARCHIVE_CODEC=wav), so what comes back can be compared byte for byte with what Asterisk recorded. */
    private static final Map<String, String> FAST_RECONCILE = Map.of("CR_ARCHIVE_RECONCILE", "300ms", "CR_ARCHIVE_CODEC", "wav");
    private AppHarness h;
    private CapturedLogs logs;

    @BeforeEach
    void captureLogs() {
        logs = CapturedLogs.of(RecordingQuarantine.class);
    }

    @AfterEach
    void stop() {
        logs.close();
        if (h != null) {
            h.close();
        }
    }

    /** A call whose evidence and audio exist only after the backup the database is about to be restored from. */
    private record AfterBackup(UUID callId, String name) {
    }

    /**
     * A consented call is recorded; the process dies before it archives the recording; the
     * database is then "restored" from a backup taken before the call (its rows dropped; a copy is
     * kept in saved_* tables to play a newer backup back later) and the application restarted.
     */
    private AfterBackup recordingMadeAfterTheBackup() throws Exception {
        h = AppHarness.start(FAST_RECONCILE);
        String ch = h.asterisk.placeCall(CALLER);
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Map<String, Object> call = h.awaitRows("select id, recording_name from call where channel_id = $1 "
                + "and recording_name is not null", ch).get(0);
        UUID callId = (UUID) call.get("id");
        String name = (String) call.get("recording_name");
        h.app.close();
        h.asterisk.callerHangsUp(ch);
        assertTrue(h.asterisk.storedRecordings().contains(name));
        // literals, not parameters: utility statements take none (a UUID is safe to inline)
        h.rows("create table saved_call as select * from call where id = '" + callId + "'");
        h.rows("create table saved_consent_decision as select * from consent_decision where call_id = '" + callId + "'");
        h.rows("do $$ begin perform set_config('consent_recorder.redaction', 'on', true); "
                + "delete from recording_timeline where call_id = '" + callId + "'; "
                + "delete from consent_decision where call_id = '" + callId + "'; "
                + "delete from recording where call_id = '" + callId + "'; "
                + "delete from call where id = '" + callId + "'; end $$");
        assertTrue(h.rows("select 1 from call where id = $1", callId).isEmpty());
        h = h.restartAppAfterClose(FAST_RECONCILE);
        return new AfterBackup(callId, name);
    }

    private Map<String, Object> awaitQuarantined(String name, Status status) {
        return h.awaitRows("select * from recording_quarantine where name = $1 and status = $2", name, status.wire()).get(0);
    }

    private RecordingQuarantine quarantine() {
        return h.app.archivePipeline().quarantine();
    }

    @Test
    void aRecordingOfACallNewerThanTheRestoredBackupIsKeptAndQuarantinedAndGoesByAnExplicitDecision() throws Exception {
        AfterBackup after = recordingMadeAfterTheBackup();
        Map<String, Object> row = awaitQuarantined(after.name(), Status.HELD);
        assertEquals(after.callId(), row.get("call_id"));
        Thread.sleep(1200); // several more reconciliations

        assertTrue(h.asterisk.storedRecordings().contains(after.name()), "kept on Asterisk");
        assertFalse(h.asterisk.wasDeleted(after.name()));
        assertTrue(h.rows("select 1 from recording where name = $1", after.name()).isEmpty(), "not archived, not rejected");
        assertTrue(h.rows("select 1 from incident").isEmpty(), "not reported as unconsented audio");
        List<QuarantinedRecording> held = await(quarantine().list(EnumSet.of(Status.HELD)));
        assertEquals(1, held.size());
        QuarantinedRecording q = held.get(0);
        assertEquals(after.name(), q.name());
        assertEquals(after.callId(), q.callId());
        assertEquals(q.foundAt().plus(Duration.ofDays(30)), q.deleteAfter(), "the default grace period");
        assertNull(q.lastDecision());
        List<ILoggingEvent> reported = logs.events().stream()
                .filter(e -> e.getFormattedMessage().contains(after.name()) && e.getFormattedMessage().contains("quarantined"))
                .toList();
        assertEquals(1, reported.size(), "reported once, not at every reconciliation: " + reported);
        assertFalse(reported.get(0).getFormattedMessage().contains(CALLER.substring(1)), "no caller data in the log");

        // bad decisions are refused and change nothing
        assertInstanceOf(IllegalArgumentException.class, failure(quarantine().decide(after.name(), Kind.DELETE, "carol", " ")));
        assertInstanceOf(IllegalArgumentException.class, failure(quarantine().decide(after.name(), Kind.DELETE, "", "why")));
        assertInstanceOf(IllegalArgumentException.class,
                failure(quarantine().decide(after.name(), Kind.DELETE, RecordingQuarantine.GRACE_PERIOD, "pretending")));
        assertInstanceOf(NoSuchElementException.class,
                failure(quarantine().decide("cr-" + UUID.randomUUID(), Kind.DELETE, "carol", "why")));
        assertEquals(Status.HELD, await(quarantine().find(after.name())).orElseThrow().status());
        assertTrue(await(quarantine().decisions(after.name())).isEmpty());

        QuarantinedRecording decided = await(quarantine().decide(after.name(), Kind.DELETE, "carol",
                "ticket 4711: no evidence of consent in the newer backup either"));
        assertEquals(Status.DELETED, decided.status());
        assertNotNull(decided.deletedAt());
        assertNull(decided.deleteAfter());
        assertEquals("carol", decided.lastDecision().decidedBy());
        assertTrue(h.asterisk.wasDeleted(after.name()), "deleted on Asterisk");
        List<QuarantineDecision> decisions = await(quarantine().decisions(after.name()));
        assertEquals(1, decisions.size());
        assertEquals(Kind.DELETE, decisions.get(0).kind());
        assertFalse(decisions.get(0).automatic());
        assertEquals("ticket 4711: no evidence of consent in the newer backup either", decisions.get(0).reason());
        assertInstanceOf(IllegalStateException.class, failure(quarantine().decide(after.name(), Kind.KEEP, "carol", "why")),
                "a decided deletion stands");
        assertThrows(Exception.class, () -> h.rows("update recording_quarantine_decision set decided_by = 'mallory'"),
                "decisions are append-only");
    }

    @Test
    void whenTheCallComesBackItsRecordingLeavesQuarantineAndIsArchivedAsUsual() throws Exception {
        AfterBackup after = recordingMadeAfterTheBackup();
        awaitQuarantined(after.name(), Status.HELD);
        // the operator restores the newer backup after all: the call and its evidence are back
        h.rows("do $$ begin insert into consent_decision select * from saved_consent_decision; "
                + "insert into call select * from saved_call; end $$");
        awaitQuarantined(after.name(), Status.RELEASED);
        UUID id = ArchiveRepository.recordingId(after.name());
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        byte[] original = h.asterisk.deletedBytes(after.name());
        assertArrayEquals(original, org.consentrecorder.testing.Streams.readAll(h.app.archive().open(id, 0, original.length)));
        assertEquals(CALLER, h.rows("select subject from recording where id = $1", id).get(0).get("subject"));
    }

    @Test
    void theGracePeriodDeletesWhatNobodyDecidedWithAWarningAndNeverWhatWasKept() throws Exception {
        h = AppHarness.start(FAST_RECONCILE);
        String undecided = "cr-" + UUID.randomUUID();
        String kept = "cr-" + UUID.randomUUID();
        h.asterisk.putStoredRecording(undecided, random(2000, 1));
        h.asterisk.putStoredRecording(kept, random(2000, 2));
        awaitQuarantined(undecided, Status.HELD);
        awaitQuarantined(kept, Status.HELD);
        assertEquals(Status.KEPT, await(quarantine().decide(kept, Kind.KEEP, "carol", "legal asked to keep it")).status());

        // a second view of the same quarantine, with a clock the test moves
        MovableClock clock = new MovableClock(Instant.now());
        ArchiveRepository repository = new ArchiveRepository(h.app.pool());
        RecordingQuarantine never = new RecordingQuarantine(repository,
                org.consentrecorder.ari.AriClients.single("default", () -> h.app.ari().client()), Duration.ZERO, clock);
        RecordingQuarantine thirtyDays = new RecordingQuarantine(repository,
                org.consentrecorder.ari.AriClients.single("default", () -> h.app.ari().client()),
                Duration.ofDays(30), clock);

        clock.now = clock.now.plus(Duration.ofDays(3650));
        assertEquals(0, await(never.deleteOverdue()), "grace 0: never automatically");
        assertNull(await(never.find(undecided)).orElseThrow().deleteAfter());
        clock.now = Instant.now().plus(Duration.ofDays(29));
        assertEquals(0, await(thirtyDays.deleteOverdue()), "not before the grace period ends");
        assertFalse(h.asterisk.wasDeleted(undecided));

        clock.now = Instant.now().plus(Duration.ofDays(31));
        assertEquals(1, await(thirtyDays.deleteOverdue()));
        assertTrue(h.asterisk.wasDeleted(undecided));
        assertFalse(h.asterisk.wasDeleted(kept), "a decision to keep is not overridden by the clock");
        assertTrue(h.asterisk.storedRecordings().contains(kept));
        QuarantinedRecording gone = await(thirtyDays.find(undecided)).orElseThrow();
        assertEquals(Status.DELETED, gone.status());
        assertTrue(gone.lastDecision().automatic());
        assertEquals(RecordingQuarantine.GRACE_PERIOD, gone.lastDecision().decidedBy());
        assertEquals("no decision within the grace period of 30d", gone.lastDecision().reason());
        assertEquals(clock.now.truncatedTo(ChronoUnit.MILLIS), gone.lastDecision().decidedAt(), "the injected clock's time");
        assertTrue(logs.events().stream().anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
                && e.getFormattedMessage().contains(undecided) && e.getFormattedMessage().contains("grace period")),
                "a warning names what the grace period deleted");
        assertEquals(0, await(thirtyDays.deleteOverdue()), "done once");
        assertEquals(Set.of(kept), Set.copyOf(await(quarantine().list(EnumSet.of(Status.KEPT))).stream()
                .map(QuarantinedRecording::name).toList()));
    }

    @Test
    void textFromOutsideCannotForgeALogLine() throws Exception {
        h = AppHarness.start(FAST_RECONCILE);
        String name = "cr-" + UUID.randomUUID();
        h.asterisk.putStoredRecording(name, random(500, 3));
        awaitQuarantined(name, Status.HELD);
        // the decider's name comes from outside (an account or token name); whatever it holds, one log line
        String forged = "carol\r\n2026-11-27T00:00:00.000Z INFO  [main] archive - all recordings verified";
        await(quarantine().decide(name, Kind.KEEP, forged, "ticket 4712"));
        List<String> lines = logs.events().stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("decided by")).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("decided by carol\\r\\n2026-11-27T00:00:00.000Z INFO  [main] archive - all "
                + "recordings verified"), lines.get(0));
        assertFalse(lines.get(0).contains("\n") || lines.get(0).contains("\r"), lines.get(0));
        assertEquals(forged, await(quarantine().find(name)).orElseThrow().lastDecision().decidedBy(),
                "stored as it was given: data, not a log line");
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) throws Exception {
        try {
            f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
