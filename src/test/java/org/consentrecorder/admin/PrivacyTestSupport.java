package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.consentrecorder.crypto.DataKey;
import org.consentrecorder.crypto.RecordingDecryptor;
import org.consentrecorder.crypto.SubjectKeyStore;
import org.consentrecorder.crypto.WrappedDataKey;
import org.consentrecorder.archive.ArchivePipeline;
import org.consentrecorder.archive.ArchiveRepository;
import org.consentrecorder.testing.AppHarness;

/** Calls that end archived, zips, and decryption straight from (copies of) the tables, for the privacy tests. */
final class PrivacyTestSupport {
    private PrivacyTestSupport() {
    }

    /** A call the caller granted, recorded and archived; the original audio is what Asterisk deleted. */
    record Archived(UUID callId, UUID recordingId, String name, byte[] audio) {
    }

    /**
     * Places a granted call; with {@code pause}, the caller pauses (*7) and resumes (*8) once, so
     * the timeline has a payment pause. Hangs up and waits until the recording is archived.
     */
    static Archived archivedCall(AppHarness h, String caller, boolean pause) throws InterruptedException {
        Map<String, Object> call = ApiTestSupport.recordedCall(h, caller);
        UUID callId = (UUID) call.get("id");
        String channel = (String) call.get("channel_id");
        h.awaitRows("select 1 from call where id = $1 and phase = 'in_dialplan'", callId);
        if (pause) {
            h.asterisk.pressDtmf(channel, '*');
            h.asterisk.pressDtmf(channel, '7');
            h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'paused'", callId);
            h.asterisk.pressDtmf(channel, '*');
            h.asterisk.pressDtmf(channel, '8');
            h.awaitRows("select 1 from recording_timeline where call_id = $1 and change = 'resumed'", callId);
        }
        Thread.sleep(200);
        h.asterisk.callerHangsUp(channel);
        String name = "cr-" + callId;
        UUID recordingId = ArchiveRepository.recordingId(name);
        h.asterisk.await("archived " + name, () -> !h.rows("select 1 from recording where id = $1 and state = 'archived'",
                recordingId).isEmpty(), java.time.Duration.ofSeconds(20));
        return new Archived(callId, recordingId, name, h.asterisk.deletedBytes(name));
    }

    /** A call the caller declined, ended. */
    static UUID declinedCall(AppHarness h, String caller) {
        Map<String, Object> call = ApiTestSupport.declinedCall(h, caller);
        h.asterisk.callerHangsUp((String) call.get("channel_id"));
        UUID id = (UUID) call.get("id");
        h.awaitRows("select 1 from call where id = $1 and ended_at is not null", id);
        return id;
    }

    static Map<String, byte[]> unzip(Buffer zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.getBytes()))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                entries.put(e.getName(), out.toByteArray());
            }
        }
        return entries;
    }

    /**
     * Decrypts a recording from the rows of {@code schema} (the live tables, or a copy taken as a
     * backup) with the application's key store: what someone holding that copy could do.
     */
    static byte[] decryptFrom(AppHarness h, String schema, UUID recordingId, SubjectKeyStore keys) {
        Map<String, Object> row = h.rows("select header, wrapped_data_key from " + schema + ".recording where id = $1",
                recordingId).get(0);
        byte[] ad = ArchivePipeline.associatedData(recordingId);
        DataKey key = keys.unwrapDataKey(WrappedDataKey.parse(bytes(row.get("wrapped_data_key"))), ad);
        try {
            RecordingDecryptor d = RecordingDecryptor.create(key, ad);
            ByteArrayOutputStream plain = new ByteArrayOutputStream();
            d.update(bytes(row.get("header"))).forEach(plain::writeBytes);
            List<Map<String, Object>> chunks = h.rows("select data from " + schema + ".recording_chunk "
                    + "where recording_id = $1 order by seq", recordingId);
            for (Map<String, Object> c : chunks) {
                d.update(bytes(c.get("data"))).forEach(plain::writeBytes);
            }
            plain.writeBytes(d.finish());
            return plain.toByteArray();
        } finally {
            key.destroy();
        }
    }

    static byte[] bytes(Object column) {
        return column instanceof Buffer b ? b.getBytes() : (byte[]) column;
    }

    static JsonObject created(ApiClient.Reply r) {
        assertEquals(201, r.status(), r.toString());
        return r.json();
    }

    static String requestFor(ApiClient client, String token, String kind, String caller) {
        return created(client.post("/api/v1/privacy/requests", token,
                new JsonObject().put("kind", kind).put("caller", caller))).getString("id");
    }
}
