package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.app.KeysCommandAccess;
import org.consentrecorder.app.AppConfig;
import org.consentrecorder.config.ConfigSource;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.Streams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * KEK rotation on a running archive: a new newest KEK, old recordings still play, the rewrap
 * command moves every subject key under the new KEK without touching audio, and after that the old
 * KEK can be removed. Erasing a subject key makes its recordings unreadable.
 */
class KeyRotationIntegrationTest {
    private static final String K1 = "kek-a:1=" + key("first  key-encryption key 32 byt");
    private static final String K2 = "kek-a:2=" + key("second key-encryption key 32 byt");
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private static String key(String text32) {
        return Base64.getEncoder().encodeToString(text32.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] read(UUID id, long length) throws Exception {
        return Streams.readAll(h.app.archive().open(id, 0, length));
    }

    private UUID archive(byte[] bytes, String subject) throws Exception {
        UUID callId = UUID.randomUUID();
        h.asterisk.putStoredRecording("cr-" + callId, bytes);
        UUID id = h.app.archivePipeline().recordingFinished(callId, "cr-" + callId, UUID.randomUUID(), subject, "wav", 1)
                .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        h.awaitRows("select 1 from recording where id = $1 and state = 'archived'", id);
        return id;
    }

    @Test
    void rotateRewrapAndRetireTheOldKek() throws Exception {
        h = AppHarness.start(Map.of("CR_KEYRING", K1));
        byte[] old = new byte[30_000];
        new Random(1).nextBytes(old);
        UUID oldId = archive(old, "+15550101010");
        h.app.close();

        // 1. a newer KEK joins the keyring: old recordings still play, new subjects use the new KEK
        h = h.restartAppAfterClose(Map.of("CR_KEYRING", K1 + ";" + K2));
        assertArrayEquals(old, read(oldId, old.length));
        byte[] newer = new byte[10_000];
        new Random(2).nextBytes(newer);
        UUID newId = archive(newer, "+15550202020");
        h.app.close();

        // 2. rewrap: every subject key moves under kek-a:2; no recording row changes
        String wrappedBefore = h.rows("select string_agg(encode(wrapped_data_key, 'hex'), ',' order by id) as w from recording")
                .get(0).get("w").toString();
        Map<String, String> env = new HashMap<>(h.env());
        env.put("CR_KEYRING", K1 + ";" + K2);
        assertEquals(0, KeysCommandAccess.rewrap(AppConfig.load(ConfigSource.of(env))));
        assertEquals(wrappedBefore, h.rows("select string_agg(encode(wrapped_data_key, 'hex'), ',' order by id) as w "
                + "from recording").get(0).get("w").toString(), "audio and data keys untouched");

        // 3. the old KEK is retired: everything still plays
        h = h.restartAppAfterClose(Map.of("CR_KEYRING", K2));
        assertArrayEquals(old, read(oldId, old.length));
        assertArrayEquals(newer, read(newId, newer.length));

        // crypto-shredding: the subject's key destroyed, its recording is unreadable for good
        h.app.subjectKeys().destroy("+15550101010");
        ExecutionException e = assertThrows(ExecutionException.class, () -> read(oldId, old.length));
        org.junit.jupiter.api.Assertions.assertTrue(e.getCause().getClass().getSimpleName().contains("KeyUnavailable"),
                e.getCause().toString());
        assertArrayEquals(newer, read(newId, newer.length), "other subjects are not affected");
    }
}
