package org.consentrecorder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.testing.AppHarness;
import org.junit.jupiter.api.Test;

/**
 * The export bundle of a caller with a 256 MB recording, over HTTP, in a JVM with -Xmx160m (the
 * pom's "archive-small-heap" execution): holding the recording or the bundle in memory anywhere
 * would fail it. The client reads the zip as a stream and checks it against the SHA-256 the server
 * computed while writing it.
 */
class LargeSubjectExportTest {
    static final long SIZE = 256L * 1024 * 1024;

    @Test
    void aBundleWithA256MbRecordingIsStreamedWithBoundedMemory() throws Exception {
        assertTrue(Runtime.getRuntime().maxMemory() <= 256L * 1024 * 1024, "must run with a small heap");
        try (AppHarness h = AppHarness.start(Map.of("CR_ARCHIVE_LEASE", "10m"));
             ApiClient client = new ApiClient(h.app.httpPort())) {
            String caller = "+15550009998";
            UUID callId = UUID.randomUUID();
            String name = "cr-" + callId;
            h.asterisk.putGeneratedRecording(name, SIZE, 7);
            UUID id = h.app.archivePipeline().recordingFinished(callId, name, UUID.randomUUID(), caller, "wav", 8192)
                    .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            h.asterisk.await("the archive", () -> !h.rows("select 1 from recording where id = $1 and state = 'archived'",
                    id).isEmpty(), Duration.ofMinutes(4));

            String admin = ApiTestSupport.adminToken(client);
            String compliance = ApiTestSupport.tokenFor(h, client, admin, "lena", "compliance");
            String request = PrivacyTestSupport.requestFor(client, compliance, "access", caller);

            HttpClientAgent http = client.vertx().createHttpClient();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CompletableFuture<Long> received = new CompletableFuture<>();
            long[] bytes = {0};
            http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(h.app.httpPort())
                            .setURI("/api/v1/privacy/requests/" + request + "/export")
                            .putHeader("authorization", "Bearer " + compliance))
                    .compose(req -> req.send())
                    .onSuccess(res -> {
                        if (res.statusCode() != 200) {
                            received.completeExceptionally(new AssertionError("HTTP " + res.statusCode()));
                            return;
                        }
                        res.handler(b -> {
                            sha.update(b.getBytes());
                            bytes[0] += b.length();
                        });
                        res.exceptionHandler(received::completeExceptionally);
                        res.endHandler(v -> received.complete(bytes[0]));
                    })
                    .onFailure(received::completeExceptionally);
            long total = received.get(4, TimeUnit.MINUTES);
            assertTrue(total > SIZE / 2, "the zip carries the recording: " + total + " bytes");

            h.awaitRows("select 1 from privacy_request where id = $1 and status = 'completed'", UUID.fromString(request));
            JsonObject result = client.get("/api/v1/privacy/requests/" + request, compliance).json().getJsonObject("result");
            assertEquals(SIZE, result.getLong("audio_bytes"));
            assertEquals(total, result.getLong("bundle_bytes"));
            assertEquals(HexFormat.of().formatHex(sha.digest()), result.getString("bundle_sha256"));
            System.out.printf("[large export] %d MB recording exported as a %d MB zip with -Xmx%dm%n", SIZE >> 20,
                    total >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }
}
