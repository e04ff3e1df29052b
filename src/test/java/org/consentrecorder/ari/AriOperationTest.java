package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ARI request paths as bounded operation names: no channel id, recording name or unknown word survives. */
class AriOperationTest {
    @Test
    void idsBecomePlaceholders_wordsStay() {
        assertEquals("POST /channels/{id}/answer", AriOperation.of("POST", "/channels/1795538447.12/answer"));
        assertEquals("POST /recordings/live/{id}/pause",
                AriOperation.of("post", "/recordings/live/cr-4b1f0c2e-9d3a-4f6b-8c7d-1e2f3a4b5c6d/pause"));
        assertEquals("DELETE /recordings/stored/{id}", AriOperation.of("DELETE", "/recordings/stored/cr-x?foo=1"));
        assertEquals("GET /recordings/stored/{id}/file", AriOperation.of("GET", "/recordings/stored/cr-x/file"));
        assertEquals("POST /channels/{id}/snoop/{id}", AriOperation.of("POST", "/channels/1.2/snoop/cr-1-snoop"));
        assertEquals("GET /api-docs/resources.json", AriOperation.of("GET", "/api-docs/resources.json"));
        assertEquals("POST /channels/{id}/variable", AriOperation.of("POST", "/channels/+4930123456/variable?variable=X"));
        assertEquals("GET /", AriOperation.of("GET", ""));
        assertEquals("GET /{id}/{id}/{id}/{id}/{id}/{id}/...", AriOperation.of("GET", "/a/b/c/d/e/f/g/h"));
    }

    @Test
    void theRecordingControlsAreTheRequestsThatTakeTheControlPools() {
        List<String> sent = List.of("POST /recordings/live/cr-1/pause", "DELETE /recordings/live/cr-1/pause",
                "POST /recordings/live/cr-1/mute", "DELETE /recordings/live/cr-1/mute", "POST /recordings/live/cr-1/stop",
                "DELETE /recordings/live/cr-1");
        List<String> operations = new ArrayList<>();
        for (String request : sent) {
            String method = request.substring(0, request.indexOf(' '));
            String path = request.substring(request.indexOf(' ') + 1);
            assertTrue(VertxAriHttpClient.isControl(method, path), request);
            operations.add(AriOperation.of(method, path));
        }
        assertEquals(operations, AriOperation.RECORDING_CONTROLS);
        assertFalse(VertxAriHttpClient.isControl("GET", "/recordings/live/cr-1"));
    }
}
