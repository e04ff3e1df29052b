package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.archive.ArchiveCheckpoints.Point;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.RestartablePostgres;
import org.consentrecorder.testing.Streams;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The encrypted archive end to end: real recordings from the ARI double, encrypted into a real
 * PostgreSQL, read back through the decrypting path; every crash point and both outages.
 */
class ArchiveIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Small segments and chunks, so small files cross segment and chunk boundaries. */
    private static final Map<String, String> SMALL_SEGMENTS = Map.of(
            "CR_ARCHIVE_SEGMENT_SIZE", "4096", "CR_ARCHIVE_SEGMENTS_PER_CHUNK", "2");
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    /** Puts a file on Asterisk and registers it as a consented recording that just finished. */
    private UUID finished(byte[] bytes) throws Exception {
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, bytes);
        return await(h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550001111", "wav", 1));
    }

    private Map<String, Object> awaitState(UUID id, String state) {
        return h.awaitRows("select * from recording where id = $1 and state = $2", id, state).get(0);
    }

    private byte[] read(UUID id, long offset, long length) throws Exception {
        return Streams.readAll(h.app.archive().open(id, offset, length));
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aRecordedCallIsArchivedEncryptedAndAsterisksCopyDeletedOnlyAfterVerification() throws Exception {
        // stored unchanged, so the archive can be compared byte for byte (OpusArchiveTest: the default codec)
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        String ch = h.asterisk.placeCall("+15551230401");
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        Thread.sleep(500);
        h.asterisk.callerHangsUp(ch);
        Map<String, Object> call = h.awaitRows("select * from call where channel_id = $1 and ended_at is not null", ch).get(0);
        String name = (String) call.get("recording_name");
        UUID id = ArchiveRepository.recordingId(name);
        Map<String, Object> row = awaitState(id, "archived");
        assertEquals(call.get("id"), row.get("call_id"));
        assertEquals(call.get("consent_id"), row.get("consent_id"));
        assertEquals("+15551230401", row.get("subject"));
        assertNotNull(row.get("wrapped_data_key"));
        assertFalse(h.asterisk.storedRecordings().contains(name), "Asterisk's copy is gone");
        byte[] original = h.asterisk.deletedBytes(name);
        assertEquals(original.length, ((Number) row.get("plaintext_bytes")).longValue());
        assertEquals((original.length - 44) / 16L, ((Number) row.get("duration_ms")).longValue(),
                "exact length from the WAV header (8 kHz, 16 bit: 16 bytes per ms)");
        assertArrayEquals(original, read(id, 0, original.length), "byte for byte through the decrypting path");
        byte[] ciphertext = concatChunks(id);
        assertFalse(indexOf(ciphertext, Arrays.copyOfRange(original, 44, 76)) >= 0, "no audio in the clear in the database");
        assertEquals(1, h.rows("select count(*) as n from recording").get(0).get("n") instanceof Long l ? l.intValue() : -1);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 4095, 4096, 4097, 8192 + 1, 100_000})
    void roundTripOfEverySize(int size) throws Exception {
        h = AppHarness.start(SMALL_SEGMENTS);
        byte[] bytes = random(size, size);
        UUID id = finished(bytes);
        Map<String, Object> row = awaitState(id, "archived");
        assertEquals((long) size, ((Number) row.get("plaintext_bytes")).longValue());
        assertArrayEquals(bytes, read(id, 0, size));
        int segments = Math.max(1, (size + 4095) / 4096);
        assertEquals((segments + 1) / 2, ((Number) row.get("chunk_count")).intValue());
    }

    @Test
    void rangeReadsDecryptOnlyWhatIsAsked() throws Exception {
        h = AppHarness.start(SMALL_SEGMENTS);
        byte[] bytes = random(50_000, 7);
        UUID id = finished(bytes);
        awaitState(id, "archived");
        long[][] ranges = {{0, 1}, {4095, 2}, {4096, 4096}, {12_000, 20_001}, {49_999, 1}, {16_384, 0}, {8191, 16_386}};
        for (long[] r : ranges) {
            assertArrayEquals(Arrays.copyOfRange(bytes, (int) r[0], (int) (r[0] + r[1])), read(id, r[0], r[1]),
                    "range " + r[0] + "+" + r[1]);
        }
    }

    @Test
    void aTamperedChunkStopsPlaybackWithAnErrorAndReleasesNothingOfIt() throws Exception {
        h = AppHarness.start(SMALL_SEGMENTS);
        byte[] bytes = random(40_000, 9);
        UUID id = finished(bytes);
        awaitState(id, "archived");
        // flip one bit in chunk 2 (segments 4 and 5, plaintext from 16384)
        h.rows("update recording_chunk set data = overlay(data placing set_byte(substring(data from 100 for 1), 0, "
                + "get_byte(substring(data from 100 for 1), 0) # 1) from 100 for 1) where recording_id = $1 and seq = 2", id);
        ReadStream<Buffer> stream = await(h.app.archive().open(id, 0, bytes.length));
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        stream.exceptionHandler(failure::complete);
        stream.endHandler(v -> failure.complete(null));
        stream.handler(b -> out.writeBytes(b.getBytes()));
        Throwable e = failure.get(20, TimeUnit.SECONDS);
        assertNotNull(e, "the stream must fail");
        assertTrue(out.size() <= 16_384, "nothing of the tampered segment is released: " + out.size());
        assertArrayEquals(Arrays.copyOfRange(bytes, 0, out.size()), out.toByteArray());
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void aCrashAtEveryPointIsFinishedByARestartWithoutDuplicatesOrLoss(Point point) throws Exception {
        HangAt hang = new HangAt(point);
        h = AppHarness.start(FakeAsterisk.start(), TestDatabase.fresh(), SMALL_SEGMENTS, hang);
        byte[] bytes = random(30_000, point.ordinal());
        UUID callId = UUID.randomUUID();
        String name = "cr-" + callId;
        h.asterisk.putStoredRecording(name, bytes);
        UUID id = await(h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550002222", "wav", 2));
        assertEquals(id, hang.reached.get(20, TimeUnit.SECONDS));
        h.app.close();  // the process dies here

        String state = (String) h.rows("select state from recording where id = $1", id).get(0).get("state");
        switch (point) {
            case FETCH_STARTED, ENCODING, CHUNKS_WRITTEN -> assertEquals("finished", state);
            case STORED -> assertEquals("stored", state);
            case VERIFIED, DELETED_ON_ASTERISK -> assertEquals("verified", state);
            default -> throw new AssertionError(point);
        }
        assertEquals(point != Point.DELETED_ON_ASTERISK, h.asterisk.storedRecordings().contains(name),
                "Asterisk keeps its copy until the encrypted copy is verified");

        h = h.restartAppAfterClose(Map.of());
        awaitState(id, "archived");
        assertEquals(1L, h.rows("select count(*) as n from recording where name = $1", name).get(0).get("n"));
        long chunks = (Long) h.rows("select count(*) as n from recording_chunk where recording_id = $1", id).get(0).get("n");
        assertEquals(((Number) h.rows("select chunk_count from recording where id = $1", id).get(0).get("chunk_count")).longValue(),
                chunks, "no duplicate or left-over chunks");
        assertArrayEquals(bytes, read(id, 0, bytes.length));
        assertFalse(h.asterisk.storedRecordings().contains(name));
    }

    @Test
    void aRecordingNeverRegisteredIsFoundOnAsteriskAndArchivedWhenConsentIsBehindIt() throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_RECONCILE", "300ms", "CR_ARCHIVE_CODEC", "wav"));
        String ch = h.asterisk.placeCall("+15551230402");
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        String name = (String) h.awaitRows("select recording_name from call where channel_id = $1 and recording_name is not null", ch)
                .get(0).get("recording_name");
        // the process dies before it sees RecordingFinished (crash point 0: nothing registered)
        h.app.close();
        h.asterisk.callerHangsUp(ch);
        assertTrue(h.asterisk.storedRecordings().contains(name));
        h = h.restartAppAfterClose(Map.of("CR_ARCHIVE_RECONCILE", "300ms"));
        awaitState(ArchiveRepository.recordingId(name), "archived");
        assertArrayEquals(h.asterisk.deletedBytes(name), read(ArchiveRepository.recordingId(name), 0,
                h.asterisk.deletedBytes(name).length));
    }

    @Test
    void unconsentedAudioOfAKnownCallOnAsteriskIsDeletedAndReportedAsAnIncident() throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_RECONCILE", "300ms"));
        String ch = h.asterisk.placeCall("+15551230404");
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '2');
        UUID callId = (UUID) h.awaitRows("select id from call where channel_id = $1 and outcome = 'declined'", ch)
                .get(0).get("id");
        // audio of a call that declined: however it got there, it must not exist
        String stray = "cr-" + callId;
        h.asterisk.putStoredRecording(stray, random(1000, 1));
        h.asterisk.putStoredRecording("voicemail-or-someone-elses", random(1000, 2));
        h.asterisk.await("the stray deleted", () -> h.asterisk.wasDeleted(stray), WAIT);
        Map<String, Object> incident = h.awaitRows("select * from incident where kind = 'unconsented_recording_deleted'").get(0);
        assertTrue(((String) incident.get("detail")).contains(stray));
        assertTrue(((String) incident.get("detail")).contains("outcome declined"), (String) incident.get("detail"));
        assertEquals("rejected", h.rows("select state from recording where name = $1", stray).get(0).get("state"));
        assertTrue(h.rows("select 1 from recording_quarantine").isEmpty(), "a known call is judged, not quarantined");
        assertTrue(h.asterisk.storedRecordings().contains("voicemail-or-someone-elses"), "not ours: left alone");
    }

    @Test
    void aWithdrawnRecordingLeftOnAsteriskIsDeletedWithoutBeingArchived() throws Exception {
        h = AppHarness.start(Map.of("CR_ARCHIVE_RECONCILE", "300ms"));
        String ch = h.asterisk.placeCall("+15551230403");
        h.asterisk.await("prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        h.asterisk.await("in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
        String name = (String) h.awaitRows("select recording_name from call where channel_id = $1 and recording_name is not null", ch)
                .get(0).get("recording_name");
        // the discard of the live recording fails; the file stays behind
        h.asterisk.fail("DELETE", "/ari/recordings/live/.*", 500, "Internal Server Error", 5);
        h.asterisk.fail("DELETE", "/ari/recordings/stored/.*", 500, "Internal Server Error", 5);
        h.asterisk.pressDtmf(ch, '*');
        h.asterisk.pressDtmf(ch, '9');
        h.awaitRows("select 1 from call where channel_id = $1 and recording_state = 'discarded'", ch);
        h.asterisk.callerHangsUp(ch);
        h.asterisk.await("the withdrawn audio deleted", () -> h.asterisk.wasDeleted(name), WAIT);
        assertEquals("discarded", awaitState(ArchiveRepository.recordingId(name), "discarded").get("state"));
        assertEquals(0L, h.rows("select count(*) as n from recording_chunk").get(0).get("n"), "never archived");
        assertEquals(0L, h.rows("select count(*) as n from incident").get(0).get("n"), "an expected clean-up, not an incident");
    }

    @Test
    void anAsteriskOutageIsRetriedAndTheFileStaysUntilVerified() throws Exception {
        h = AppHarness.start(SMALL_SEGMENTS);
        h.asterisk.fail("GET", "/ari/recordings/stored/[^/]+/file", 503, "Service Unavailable", 3);
        h.asterisk.fail("DELETE", "/ari/recordings/stored/.*", 500, "Internal Server Error", 2);
        byte[] bytes = random(20_000, 3);
        UUID id = finished(bytes);
        awaitState(id, "archived");
        assertTrue(((Number) h.rows("select attempts from recording where id = $1", id).get(0).get("attempts")).intValue() >= 4);
        assertEquals(4, h.asterisk.requests("GET", "/ari/recordings/stored/[^/]+/file").size());
        assertArrayEquals(bytes, read(id, 0, bytes.length));
    }

    @Test
    void aDatabaseOutageDuringArchivingIsRetriedUntilTheCopyIsVerified() throws Exception {
        try (RestartablePostgres pg = RestartablePostgres.start()) {
            HangAt hang = new HangAt(Point.FETCH_STARTED);
            h = AppHarness.start(FakeAsterisk.start(), pg.server(), SMALL_SEGMENTS, new ArchiveCheckpoints() {
                @Override
                public Future<Void> reached(Point p, UUID id) {
                    if (p == Point.FETCH_STARTED && hang.armed.getAndSet(false)) {
                        // the database goes away in the middle of the fetch
                        hang.reached.complete(id);
                        pg.stop();
                    }
                    return Future.succeededFuture();
                }
            });
            byte[] bytes = random(25_000, 4);
            UUID callId = UUID.randomUUID();
            String name = "cr-" + callId;
            h.asterisk.putStoredRecording(name, bytes);
            UUID id = await(h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), "+15550003333", "wav", 2));
            hang.reached.get(20, TimeUnit.SECONDS);
            Thread.sleep(1500);
            assertTrue(h.asterisk.storedRecordings().contains(name), "the file stays on Asterisk during the outage");
            pg.restart();
            awaitState(id, "archived");
            assertArrayEquals(bytes, read(id, 0, bytes.length));
        }
    }

    private byte[] concatChunks(UUID id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map<String, Object> r : h.rows("select data from recording_chunk where recording_id = $1 order by seq", id)) {
            out.writeBytes(((Buffer) r.get("data")).getBytes());
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    static List<Point> points() {
        return List.of(Point.values());
    }
}
