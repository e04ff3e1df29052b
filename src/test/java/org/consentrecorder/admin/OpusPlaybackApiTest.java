package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.archive.OpusArchiveTest;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Playback of a recording stored as Ogg Opus (the default codec), over real HTTP: as stored
 * ({@code audio/ogg}, which libopus plays) and as a WAV decoded on the fly ({@code format=wav}),
 * both whole and by Range, with the call's tones at their frequencies.
 */
class OpusPlaybackApiTest {
    @TempDir
    Path dir;
    private AppHarness h;
    private ApiClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (h != null) {
            h.close();
        }
    }

    @Test
    void anOpusRecordingPlaysAsOggAndAsWavWholeAndByRange() throws Exception {
        h = AppHarness.start(Map.of());
        h.asterisk.recordingAudio(OpusArchiveTest.DTMF_1);
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        String compliance = ApiTestSupport.tokenFor(h, client, admin, "carla", "compliance");
        Map<String, Object> call = ApiTestSupport.recordedCall(h, "+15551239011");
        Thread.sleep(1500);
        h.asterisk.callerHangsUp((String) call.get("channel_id"));
        String name = (String) call.get("recording_name");
        UUID id = ArchiveRepository.recordingId(name);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        long frames = (h.asterisk.deletedBytes(name).length - 44) / 2;
        String audio = "/api/v1/recordings/" + id + "/audio?reason=" + enc("quality review 13");

        ApiClient.Reply meta = client.get("/api/v1/recordings/" + id, compliance);
        assertEquals("opus", meta.body().toJsonObject().getString("codec"));

        // as stored: Ogg Opus, which libopus decodes to the source's length
        ApiClient.Reply ogg = client.get(audio, compliance);
        assertEquals(200, ogg.status(), ogg.toString());
        assertEquals("audio/ogg", ogg.headers().get("content-type"));
        assertTrue(ogg.headers().get("content-disposition").contains(id + ".opus"));
        byte[] stored = ogg.body().getBytes();
        assertEquals("OggS", new String(stored, 0, 4, StandardCharsets.US_ASCII));
        short[] libopus = OpusArchiveTest.opusdec(dir, Files.write(dir.resolve("played.opus"), stored));
        assertEquals(frames, libopus.length);
        OpusArchiveTest.assertTonesAt(libopus, "libopus, played as stored");

        // Range on the stored stream
        ApiClient.Reply part = client.get(audio, compliance, Map.of("range", "bytes=100-1099"));
        assertEquals(206, part.status(), part.toString());
        assertEquals("bytes 100-1099/" + stored.length, part.headers().get("content-range"));
        assertArrayEquals(Arrays.copyOfRange(stored, 100, 1100), part.body().getBytes());

        // format=wav: decoded on the fly, its length known before the first byte
        ApiClient.Reply wav = client.get(audio + "&format=wav", compliance);
        assertEquals(200, wav.status(), wav.toString());
        assertEquals("audio/wav", wav.headers().get("content-type"));
        byte[] wavBytes = wav.body().getBytes();
        assertEquals(String.valueOf(44 + 2 * frames), wav.headers().get("content-length"));
        assertEquals(44 + 2 * frames, wavBytes.length);
        assertEquals("RIFF", new String(wavBytes, 0, 4, StandardCharsets.US_ASCII));
        short[] pcm = new short[(int) frames];
        ByteBuffer.wrap(wavBytes, 44, (int) frames * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
        OpusArchiveTest.assertTonesAt(pcm, "the server's decoder");

        // Range on the decoded WAV: the same bytes as the whole response has there
        long last = wavBytes.length - 1;
        for (String[] r : new String[][] {{"bytes=0-43", "0", "43"}, {"bytes=5000-9999", "5000", "9999"},
                {"bytes=-100", String.valueOf(last - 99), String.valueOf(last)}}) {
            ApiClient.Reply slice = client.get(audio + "&format=wav", compliance, Map.of("range", r[0]));
            assertEquals(206, slice.status(), r[0] + ": " + slice);
            int from = Integer.parseInt(r[1]);
            int to = Integer.parseInt(r[2]);
            assertEquals("bytes " + from + "-" + to + "/" + wavBytes.length, slice.headers().get("content-range"));
            assertArrayEquals(Arrays.copyOfRange(wavBytes, from, to + 1), slice.body().getBytes(), r[0]);
        }

        ApiClient.Reply bad = client.get(audio + "&format=mp3", compliance);
        assertEquals(400, bad.status(), bad.toString());
        assertTrue(bad.body().toString().contains("format"), bad.body().toString());
        assertEquals(6, h.rows("select 1 from audit_log a join audit_text t on t.seq = a.seq where a.target_id = $1 "
                + "and t.body::jsonb ->> 'reason' is not null", id.toString())
                .size(), "each playback audited with its reason, the refused one not among them");
    }
}
