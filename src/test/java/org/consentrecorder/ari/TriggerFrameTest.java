package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.consentrecorder.call.AriEventTranslator;
import org.consentrecorder.call.CallEvent;
import org.consentrecorder.call.RoutedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The triggers' shortcut reads a frame only where it means what ari4java's model says, and hands back every
 * other frame. Its results are checked against ari4java's decoding and the translator, on the frames a real
 * Asterisk 22 sent (src/test/resources/ari-fixtures, unchanged copies of ../shared/ari-fixtures).
 */
class TriggerFrameTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AriEventDecoder DECODER = new AriEventDecoder(AriBindingSelector.select("10.0.0").binding());
    private static final String DTMF = "{\"type\":\"ChannelDtmfReceived\",\"timestamp\":\"2026-11-24T16:41:27.427+0000\","
            + "\"digit\":\"7\",\"duration_ms\":280,\"channel\":{\"id\":\"1795538484.55\",\"name\":\"PJSIP/sipp-00000002\","
            + "\"state\":\"Up\",\"caller\":{\"name\":\"SIPp\",\"number\":\"sipp\"},\"dialplan\":{\"context\":\"incoming\","
            + "\"exten\":\"100\",\"priority\":2}},\"asterisk_id\":\"02:fc:00:00:00:01\",\"application\":\"consent-recorder\"}";
    private static final String USER_EVENT = "{\"type\":\"ChannelUserevent\",\"timestamp\":\"2026-11-24T16:41:30.001+0000\","
            + "\"eventname\":\"PaymentStart\",\"userevent\":{\"eventname\":\"PaymentStart\"},\"channel\":{\"id\":\"c-1\","
            + "\"name\":\"Local/100@incoming-00000001;2\"},\"asterisk_id\":\"02:fc:00:00:00:01\",\"application\":\"consent-recorder\"}";

    /** Every trigger a real Asterisk sent, read both ways: the same routed event. */
    @Test
    void onWhatARealAsteriskSentTheShortcutAndAri4javaAgree() throws Exception {
        List<String> frames = new ArrayList<>();
        for (String scenario : List.of("consent-accept", "consent-decline",
                "continue-and-subscribe", "continue-without-subscribe", "no-input", "ws-reconnect",
                "command-queue-vs-playback", "errors")) {
            frames.addAll(triggerFrames("/ari-fixtures/" + scenario + ".jsonl"));
        }
        frames.add(DTMF);
        frames.add(USER_EVENT);
        assertTrue(frames.size() >= 5, "the captures hold triggers: " + frames.size());
        for (String frame : frames) {
            TriggerFrame shortcut = TriggerFrame.read(frame);
            assertNotNull(shortcut, "a frame as Asterisk writes it takes the shortcut: " + frame);
            RoutedEvent viaModel = AriEventTranslator.translate(DECODER.decode(frame));
            assertEquals(viaModel, AriEventTranslator.translate(shortcut), frame);
        }
    }

    /** Asterisk 22's own user event raised without a source has no channel: handed back, and ignored there too. */
    @Test
    void aRealUserEventWithoutAChannelGoesTheOrdinaryWay() throws Exception {
        List<String> frames = triggerFrames("/ari-captures/application-replaced.jsonl");
        assertEquals(1, frames.size());
        assertNull(TriggerFrame.read(frames.get(0)));
        assertEquals(RoutedEvent.Route.IGNORED, AriEventTranslator.translate(DECODER.decode(frames.get(0))).route());
    }

    @Test
    void readsTheFieldsThePauseNeeds() {
        TriggerFrame d = TriggerFrame.read(DTMF);
        assertEquals(new TriggerFrame("ChannelDtmfReceived", "1795538484.55", "7", null, "2026-11-24T16:41:27.427+0000"), d);
        RoutedEvent r = AriEventTranslator.translate(d);
        assertEquals(RoutedEvent.Route.CHANNEL, r.route());
        assertEquals(new CallEvent.DtmfReceived('7'), r.event());
        TriggerFrame u = TriggerFrame.read(USER_EVENT);
        assertEquals("PaymentStart", u.eventName());
        assertEquals("c-1", u.channelId());
        assertEquals(new CallEvent.UserEvent("PaymentStart"), AriEventTranslator.translate(u).event());
    }

    /** Anything else goes back to the ordinary path, which decodes, drops or ignores it as before. */
    @ParameterizedTest
    @ValueSource(strings = {
            // other events, and the type not first (another writer): one prefix comparison, no parsing
            "{\"type\":\"ChannelVarset\",\"channel\":{\"id\":\"c-1\"}}",
            "{\"timestamp\":\"t\",\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelDtmfReceivedX\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}}",
            // a field the pause needs missing, null, or not a string
            "{\"type\":\"ChannelDtmfReceived\",\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":null,\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":7,\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\"}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":\"c-1\"}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"name\":\"x\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":12}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":null}",
            "{\"type\":\"ChannelUserevent\",\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelUserevent\",\"eventname\":[\"PaymentStart\"],\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelUserevent\",\"eventname\":\"PaymentStart\",\"timestamp\":5,\"channel\":{\"id\":\"c-1\"}}",
            // a field of the other trigger: not the shape Asterisk sends
            "{\"type\":\"ChannelUserevent\",\"eventname\":\"PaymentStart\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}}",
            // a duplicate key (ari4java would take the last), malformed or truncated JSON, something after it
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"digit\":\"8\",\"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\",\"id\":\"c-2\"}}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}}{}",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\",\"channel\":{\"id\":\"c-1\"}} x",
            "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"7\" \"channel\":{\"id\":\"c-1\"}}",
            "{\"type\":\"ChannelUserevent\",\"eventname\":\"Payment\\uZZZZ\",\"channel\":{\"id\":\"c-1\"}}",
            ""
    })
    void handsBackEveryOtherFrame(String frame) {
        assertNull(TriggerFrame.read(frame), frame);
    }

    @Test
    void aDigitTheTranslatorIgnoresIsIgnoredBothWays() throws Exception {
        String two = DTMF.replace("\"digit\":\"7\"", "\"digit\":\"78\"");
        TriggerFrame t = TriggerFrame.read(two);
        assertNotNull(t);
        assertEquals(RoutedEvent.Route.IGNORED, AriEventTranslator.translate(t).route());
        assertEquals(AriEventTranslator.translate(DECODER.decode(two)), AriEventTranslator.translate(t));
    }

    @Test
    void aLongEventNameIsBoundedAsTheModelsIs() throws Exception {
        String longName = "P".repeat(10_000) + "\\r\\n\\u0000";
        String frame = USER_EVENT.replace("\"eventname\":\"PaymentStart\",", "\"eventname\":\"" + longName + "\",");
        TriggerFrame t = TriggerFrame.read(frame);
        assertNotNull(t);
        RoutedEvent viaModel = AriEventTranslator.translate(DECODER.decode(frame));
        assertEquals(viaModel, AriEventTranslator.translate(t));
        assertTrue(((CallEvent.UserEvent) viaModel.event()).name().length() <= 80);
    }

    private static List<String> triggerFrames(String resource) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = TriggerFrameTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line).path("event");
                String type = event.path("type").asText();
                if (type.equals("ChannelDtmfReceived") || type.equals("ChannelUserevent")) {
                    // written back in the order Asterisk sent the fields (Jackson keeps it)
                    out.add(JSON.writeValueAsString(event));
                }
            }
        }
        return out;
    }

    @Test
    void theTimestampAsAsteriskWritesItInEpochMillis_orMinusOne() {
        TriggerFrame t = new TriggerFrame(TriggerFrame.USER_EVENT, "1.2", null, "PaymentStart",
                "2026-11-24T16:41:27.427+0000");
        assertEquals(java.time.Instant.parse("2026-11-24T16:41:27.427Z").toEpochMilli(), t.timestampMillis());
        assertEquals(java.time.Instant.parse("2026-11-24T15:41:27.427Z").toEpochMilli(),
                new TriggerFrame(TriggerFrame.DTMF, "1.2", "7", null, "2026-11-24T16:41:27.427+0100").timestampMillis());
        for (String odd : new String[] {null, "", "yesterday", "2026-11-24T16:41:27Z", "2026-11-24T16:41:27.427"}) {
            assertEquals(-1, new TriggerFrame(TriggerFrame.DTMF, "1.2", "7", null, odd).timestampMillis(), odd);
        }
    }
}
