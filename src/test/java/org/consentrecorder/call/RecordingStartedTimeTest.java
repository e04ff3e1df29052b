package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.loway.oss.ari4java.AriVersion;
import java.time.Instant;
import org.consentrecorder.ari.AriEventDecoder;
import org.junit.jupiter.api.Test;

/** The time a stereo leg started comes from the RecordingStarted event's own timestamp, as a real Asterisk writes it. */
class RecordingStartedTimeTest {

    @Test
    void givenTheCapturedRecordingStarted_thenItsTimestampIsTheLegsStartTime() throws Exception {
        // ari-fixtures/consent-accept.jsonl seq 37, with this application's recording name
        String frame = "{\"type\":\"RecordingStarted\",\"timestamp\":\"2026-11-24T16:40:31.105+0000\","
                + "\"recording\":{\"name\":\"cr-11111111-2222-3333-4444-555555555555-out\",\"format\":\"wav\","
                + "\"state\":\"recording\",\"target_uri\":\"channel:cr-11111111-2222-3333-4444-555555555555-out-snoop\"},"
                + "\"asterisk_id\":\"02:fc:00:00:00:01\",\"application\":\"consent-recorder\"}";
        RoutedEvent routed = AriEventTranslator.translate(new AriEventDecoder(AriVersion.ARI_10_0_0).decode(frame));
        assertEquals(RoutedEvent.Route.CALL, routed.route());
        assertEquals(FlowHarness.CALL, routed.callId());
        CallEvent.RecordingStarted e = (CallEvent.RecordingStarted) routed.event();
        assertEquals(CallIds.outRecordingName(FlowHarness.CALL), e.name());
        assertEquals(Instant.parse("2026-11-24T16:40:31.105Z"), e.at());
    }
}
