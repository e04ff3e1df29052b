package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.TestDatabase;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ARI connection against the double: reconnect and resynchronization (fixture ws-reconnect),
 * ARI versions from Asterisk 20 to 23, events with fields the binding does not know, and bad input
 * that must be survived without disturbing other calls.
 */
class AriConnectionIntegrationTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private AppHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private void awaitChoicePrompt(int plays) {
        h.asterisk.await(plays + " prompts", () -> h.asterisk.requests("POST", "/ari/channels/.*/play").size() >= plays, WAIT);
    }

    private String outcome(String channel) {
        return (String) h.awaitRows("select outcome from consent_decision where channel_id = $1", channel).get(0).get("outcome");
    }

    @Test
    void givenTheWebSocketDrops_thenTheAppReconnectsResyncsAndTheCallGoesOn() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        String ch = h.asterisk.placeCall("+15551230101");
        awaitChoicePrompt(2);
        h.asterisk.dropWebSockets();
        // while disconnected: the digit is lost, exactly as in ws-reconnect.jsonl
        h.asterisk.pressDtmf(ch, '3');
        h.asterisk.await("the lost digit", () -> h.asterisk.lostEvents().contains("ChannelDtmfReceived"), WAIT);
        h.asterisk.await("reconnect", () -> h.asterisk.connected(FakeAsterisk.USER), WAIT);
        h.asterisk.await("resync", () -> h.app.ari().connected(), WAIT);
        // resync asked Asterisk for the application's channels before acting on new events
        assertTrue(h.asterisk.requests("GET", "/ari/applications/consent-recorder").size() >= 2);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        List<Map<String, Object>> rows = h.rows("select keys_pressed from consent_decision where channel_id = $1", ch);
        assertEquals("1", rows.get(0).get("keys_pressed"), "the digit raised while disconnected never arrived");
    }

    /** The pause path's shortcut (TriggerFrame): a digit goes straight from its frame to the call. */
    @Test
    void givenADigitWhileConnected_thenItGoesStraightFromItsFrameAndDecides() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        String ch = h.asterisk.placeCall("+15551230111");
        awaitChoicePrompt(2);
        long before = h.app.ari().triggersStraight();
        // a trigger in a shape the shortcut does not take (the digit a number) goes the ordinary way, as before
        h.asterisk.sendRaw(FakeAsterisk.USER, "{\"type\":\"ChannelDtmfReceived\",\"digit\":9,\"channel\":"
                + "{\"id\":\"" + ch + "\"},\"application\":\"consent-recorder\"}");
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        assertEquals(before + 1, h.app.ari().triggersStraight(), "the 1 went straight, the malformed 9 did not");
    }

    /**
     * While the connection resynchronizes, events are held in order; a trigger among them must not overtake
     * them, so it takes the ordinary path and is delivered after the resync, still in order.
     */
    @Test
    void givenADigitDuringAResync_thenItIsHeldWithTheOthersAndDeliveredAfter() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        String ch = h.asterisk.placeCall("+15551230112");
        awaitChoicePrompt(2);
        // the resync lists the application's channels first; a sweep in between may take one of the delays
        h.asterisk.delay("GET", "/ari/applications/consent-recorder", Duration.ofMillis(1500), 3);
        h.asterisk.dropWebSockets();
        h.asterisk.await("the socket open again with the app still resynchronizing",
                () -> h.asterisk.connected(FakeAsterisk.USER) && !h.app.ari().connected(), WAIT);
        long straight = h.app.ari().triggersStraight();
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        assertEquals(straight, h.app.ari().triggersStraight(), "held with the others, not taken straight");
    }

    /**
     * Asterisk is asked for the types the application acts on and nothing else (EventFilter), at every connect:
     * it forgets the filter with the application. The double drops the rest before writing them, as Asterisk
     * does (EventFilterConformanceTest), so every other test here also shows that no other type is needed.
     */
    @Test
    void givenAConnection_thenAsteriskSendsOnlyTheTypesActedOn_andIsAskedAgainAfterAReconnect() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        h.asterisk.await("the filter taken", () -> h.app.ari().eventsFiltered(), WAIT);
        java.util.Set<String> expected = new java.util.TreeSet<>(org.consentrecorder.call.AriEventTranslator.HANDLED_TYPES);
        expected.add("ApplicationReplaced");
        assertEquals(expected, h.asterisk.eventsAllowed(FakeAsterisk.USER));
        String ch = h.asterisk.placeCall("+15551230113");
        awaitChoicePrompt(2);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        assertTrue(h.asterisk.requests("POST", "/ari/channels/.*/variable").size() >= 1, "the consent variables were set");
        assertTrue(h.asterisk.sentEvents().stream().noneMatch(e -> e.type().equals("ChannelVarset")
                        || e.type().equals("ChannelDialplan") || e.type().equals("ChannelStateChange")),
                "no ignored type was written: " + h.asterisk.sentEvents().stream().map(FakeAsterisk.SentEvent::type).distinct().toList());

        h.asterisk.dropWebSockets();
        h.asterisk.await("reconnect and resync", () -> h.app.ari().connected(), WAIT);
        h.asterisk.await("the filter put again", () -> h.asterisk.requests("PUT", ".*/eventFilter").size() == 2
                && h.app.ari().eventsFiltered(), WAIT);
    }

    /** An Asterisk that refuses the filter (older than 13.26/16.3 answers 404) sends every type: nothing is lost. */
    @Test
    void givenAsteriskRefusesTheFilter_thenEveryTypeArrivesAndCallsGoOn() {
        FakeAsterisk fake = FakeAsterisk.start().fail("PUT", ".*/eventFilter", 404, "Resource not found", 1);
        h = AppHarness.start(fake, TestDatabase.fresh(), Map.of("CR_IVR_TIMEOUT", "10s"));
        h.asterisk.await("connected", () -> h.app.ari().connected(), WAIT);
        String ch = h.asterisk.placeCall("+15551230114");
        awaitChoicePrompt(2);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        assertEquals(1, h.asterisk.requests("PUT", ".*/eventFilter").size());
        assertTrue(!h.app.ari().eventsFiltered() && h.asterisk.eventsAllowed(FakeAsterisk.USER).isEmpty());
        h.asterisk.await("an ignored type written and survived", () -> h.asterisk.sentEvents().stream()
                .anyMatch(e -> e.type().equals("ChannelVarset")), WAIT);
    }

    @Test
    void givenACallArrivesWhileDisconnected_thenResyncFindsItInStasisAndRunsItsIvr() {
        h = AppHarness.start(Map.of());
        h.asterisk.dropWebSockets();
        String ch = h.asterisk.placeCall("+15551230102");
        assertTrue(h.asterisk.lostEvents().contains("StasisStart"));
        h.asterisk.await("reconnect and resync", () -> h.app.ari().connected()
                && !h.asterisk.requests("POST", "/ari/channels/" + ch.replace(".", "\\.") + "/answer").isEmpty(), WAIT);
        awaitChoicePrompt(2);
        h.asterisk.pressDtmf(ch, '2');
        assertEquals("declined", outcome(ch));
    }

    @Test
    void givenACallThatEndedWhileDisconnected_thenResyncClosesIt() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        String ch = h.asterisk.placeCall("+15551230103");
        awaitChoicePrompt(2);
        h.asterisk.dropWebSockets();
        h.asterisk.callerHangsUp(ch);
        h.awaitRows("select * from call where channel_id = $1 and ended_at is not null", ch);
        assertEquals("abandoned", outcome(ch));
        h.awaitNoLiveCalls();
    }

    @Test
    void givenAsterisk23_thenTheNewestBindingIsUsedAndUnknownFieldsAreDelivered() {
        FakeAsterisk fake = FakeAsterisk.start().reportAriVersion("11.0.0", "23.0.0")
                .decorateEvents(e -> {
                    e.put("a_field_from_the_future", new JsonObject().put("x", 1));
                    JsonObject channel = e.getJsonObject("channel");
                    if (channel != null) {
                        channel.put("tenantid", "t1").put("protocol_version", 3);
                    }
                });
        h = AppHarness.start(fake, TestDatabase.fresh(), Map.of());
        assertEquals("10.0.0", h.app.ari().server().binding());
        assertEquals("11.0.0", h.app.ari().server().reportedAriVersion());
        String ch = h.asterisk.placeCall("+15551230104");
        awaitChoicePrompt(2);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        assertEquals(0, h.app.ari().eventsDropped(), "lenient decoding keeps events with unknown fields");
    }

    @Test
    void givenAsterisk20_thenItsOwnBindingIsUsed() {
        FakeAsterisk fake = FakeAsterisk.start().reportAriVersion("8.0.0", "20.6.0");
        h = AppHarness.start(fake, TestDatabase.fresh(), Map.of());
        assertEquals("8.0.0", h.app.ari().server().binding());
        String ch = h.asterisk.placeCall("+15551230105");
        awaitChoicePrompt(2);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
    }

    @Test
    void givenMalformedAndUnknownEvents_thenTheyAreDroppedAndOtherCallsAreUndisturbed() {
        h = AppHarness.start(Map.of("CR_IVR_TIMEOUT", "10s"));
        String ch = h.asterisk.placeCall("+15551230106");
        awaitChoicePrompt(2);
        h.asterisk.sendRaw(FakeAsterisk.USER, "{not json");
        h.asterisk.sendRaw(FakeAsterisk.USER, "{\"type\":\"SomethingNew\",\"application\":\"consent-recorder\"}");
        h.asterisk.sendRaw(FakeAsterisk.USER, "[1,2,3]");
        h.asterisk.sendRaw(FakeAsterisk.USER, "{\"type\":\"ChannelDtmfReceived\",\"digit\":\"1\",\"channel\":"
                + "{\"id\":\"no-such-channel\"},\"application\":\"consent-recorder\"}");
        h.asterisk.sendRaw(FakeAsterisk.USER, "{\"type\":\"PlaybackFinished\",\"playback\":{\"id\":\"cr-not-a-uuid\"}}");
        h.asterisk.await("bad frames counted", () -> h.app.ari().eventsDropped() >= 3, WAIT);
        h.asterisk.pressDtmf(ch, '1');
        assertEquals("granted", outcome(ch));
        assertTrue(h.app.ari().connected());
    }

    @Test
    void givenAChannelThatIsGoneWhenAnswered_thenTheCallIsAbandonedAndTheNextCallIsFine() {
        h = AppHarness.start(Map.of());
        h.asterisk.fail("POST", "/ari/channels/[^/]+/answer", 404, "Channel not found", 1);
        String first = h.asterisk.placeCall("+15551230107");
        assertEquals("abandoned", outcome(first));
        h.awaitNoLiveCalls();
        String second = h.asterisk.placeCall("+15551230108");
        h.asterisk.await("second call's prompts", () -> h.asterisk.requests("POST", "/ari/channels/"
                + second.replace(".", "\\.") + "/play").size() >= 2, WAIT);
        h.asterisk.pressDtmf(second, '1');
        assertEquals("granted", outcome(second));
    }

    @Test
    void givenAServerErrorOnThePrompt_thenTheCallContinuesUnrecordedWithOutcomeError() {
        h = AppHarness.start(Map.of());
        h.asterisk.fail("POST", "/ari/channels/[^/]+/play", 500, "Internal Server Error", 1);
        String ch = h.asterisk.placeCall("+15551230109");
        assertEquals("error", outcome(ch));
        h.asterisk.awaitRequest("POST", "/ari/channels/.*/continue", WAIT);
        assertEquals("0", h.asterisk.variables(ch).get("CONSENT_RECORDING"));
        assertTrue(h.asterisk.requests("POST", ".*/snoop").isEmpty());
        h.awaitNoLiveCalls();
    }

    @Test
    void givenManyCallsThatEnd_thenNoStateIsLeftBehind() {
        h = AppHarness.start(Map.of());
        for (int i = 0; i < 10; i++) {
            String ch = h.asterisk.placeCall("+1555123020" + i);
            if (i % 2 == 0) {
                h.asterisk.callerHangsUp(ch);
            }
        }
        h.asterisk.channelIds().forEach(h.asterisk::callerHangsUp);
        h.awaitNoLiveCalls();
        h.asterisk.await("every call closed in the database", () -> ((Number) h.rows(
                "select count(*) as n from call where ended_at is null").get(0).get("n")).intValue() == 0
                && ((Number) h.rows("select count(*) as n from consent_decision").get(0).get("n")).intValue() == 10,
                WAIT);
        assertEquals(10L, h.rows("select count(*) as n from consent_decision where outcome = 'abandoned'").get(0).get("n"));
    }
}
