package org.consentrecorder.admin;

import static org.consentrecorder.admin.ApiTestSupport.enc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole way: a real call recorded through the ARI double, archived encrypted in PostgreSQL,
 * Asterisk's copy deleted, then played back over the admin API through the decrypting path,
 * byte for byte, whole and by Range.
 */
class ArchivedPlaybackApiTest {
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
    void aRecordedCallIsPlayedBackByteForByteFromTheEncryptedArchive() throws Exception {
        // stored unchanged, so playback can be compared byte for byte (OpusPlaybackApiTest: the default codec)
        h = AppHarness.start(Map.of("CR_ARCHIVE_CODEC", "wav"));
        client = new ApiClient(h.app.httpPort());
        String admin = ApiTestSupport.adminToken(client);
        String compliance = ApiTestSupport.tokenFor(h, client, admin, "carla", "compliance");

        Map<String, Object> call = ApiTestSupport.recordedCall(h, "+15551239001");
        Thread.sleep(700);
        h.asterisk.callerHangsUp((String) call.get("channel_id"));
        String name = (String) call.get("recording_name");
        UUID id = ArchiveRepository.recordingId(name);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        assertFalse(h.asterisk.storedRecordings().contains(name), "only the encrypted copy is left");
        byte[] original = h.asterisk.deletedBytes(name);

        ApiClient.Reply whole = client.get("/api/v1/recordings/" + id + "/audio?reason=" + enc("quality review 12"), compliance);
        assertEquals(200, whole.status(), whole.toString());
        assertArrayEquals(original, whole.body().getBytes());

        ApiClient.Reply range = client.get("/api/v1/recordings/" + id + "/audio?reason=" + enc("seek"), compliance,
                Map.of("range", "bytes=1000-5999"));
        assertEquals(206, range.status(), range.toString());
        assertEquals("bytes 1000-5999/" + original.length, range.headers().get("content-range"));
        assertArrayEquals(Arrays.copyOfRange(original, 1000, 6000), range.body().getBytes());

        assertEquals(2, h.rows("select 1 from audit_log a join audit_text t on t.seq = a.seq where a.target_id = $1 and t.body like '%\"reason\"%'", id.toString()).size(),
                "each playback audited with its reason");
    }
}
