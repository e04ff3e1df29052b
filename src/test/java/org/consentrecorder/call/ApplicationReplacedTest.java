package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.consentrecorder.ari.AriConnection;
import org.consentrecorder.testing.AppHarness;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.consentrecorder.testing.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Another client registers our ARI application on the same Asterisk (a second deployment with the same
 * {@code CR_ARI_APP}, an instance left running outside {@code CR_HA}). Asterisk then sends that client every
 * event and tells us {@code ApplicationReplaced} on a socket it keeps open
 * ({@code src/test/resources/ari-captures/application-replaced.jsonl}).
 *
 * <p>Before this was handled, the replaced instance stayed "connected" and its sweep hung up the other
 * client's snoop channels once a minute, ending their recordings mid-call (the benchmark run of 2026-11-27
 * lost recordings at second 47.88 of every minute that way).
 */
class ApplicationReplacedTest {
    private static final Duration WAIT = AppHarness.WAIT;
    private AppHarness h;
    private WebSocket other;
    private final List<String> otherEvents = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (other != null) {
            other.abort();
        }
        if (h != null) {
            h.close();
        }
    }

    /** A second client opens the event WebSocket of our application, as another instance would. */
    private void anotherClientRegisters(String app) {
        String url = "ws://127.0.0.1:" + h.asterisk.port() + "/ari/events?app=" + app + "&api_key="
                + URLEncoder.encode(FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD, StandardCharsets.UTF_8);
        other = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    otherEvents.add(text.toString());
                    text.setLength(0);
                }
                socket.request(1);
                return null;
            }
        }).join();
    }

    @Test
    void replacedInstance_stopsActing_pausesItsRecording_neverSweepsTheOthersSnoops_andStaysDown() throws Exception {
        h = AppHarness.start(Map.of("CR_ARI_SWEEP_INTERVAL", "1s"));
        try (CapturedLogs logged = CapturedLogs.of(AriConnection.class)) {
            String ch = h.asterisk.placeCall("+15551230390");
            String esc = ch.replace(".", "\\.");
            h.asterisk.await("the choice prompt", () -> h.asterisk.requests("POST", "/ari/channels/" + esc + "/play").size() >= 2, WAIT);
            h.asterisk.pressDtmf(ch, '1');
            h.asterisk.await("the call in the dialplan", () -> h.asterisk.location(ch).startsWith("dialplan:"), WAIT);
            String recording = h.asterisk.requests("POST", "/ari/channels/.*/record").get(0).param("name");
            assertEquals("recording", h.asterisk.liveState(recording));

            anotherClientRegisters("consent-recorder");
            // a snoop of the other client's call: unknown here, exactly what the sweep used to end
            String theirs = "cr-" + UUID.randomUUID() + "-snoop";
            String theirCall = h.asterisk.placeCall("+15551230391");
            h.asterisk.createSnoop(theirCall, theirs);
            h.asterisk.await("their snoop in Stasis", () -> h.asterisk.channelIds().contains(theirs), WAIT);
            // three sweep periods, and many times the reconnect backoff (200 ms at most here)
            Thread.sleep(3_500);
            assertTrue(h.asterisk.requests("DELETE", "/ari/channels/" + theirs.replace(".", "\\.")).isEmpty(),
                    "no hang-up of a snoop this instance does not own");
            assertTrue(h.asterisk.channelIds().contains(theirs), "the other client's snoop is left alone");

            assertEquals(AriConnection.State.REPLACED, h.app.ari().state(), "replaced, and it does not take the application back");
            // it can no longer see a pause trigger for its call, so it paused the recording (fail closed)
            assertEquals("paused", h.asterisk.liveState(recording));

            // the other client has the events now; this instance does not act on them
            int pausesBefore = h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").size();
            h.asterisk.userEvent(ch, "PaymentEnd");
            h.asterisk.await("the other client got the event", () -> otherEvents.stream()
                    .anyMatch(e -> e.contains("\"ChannelUserevent\"")), WAIT);
            Thread.sleep(300);
            assertTrue(h.asterisk.requests("DELETE", "/ari/recordings/live/.*/pause").isEmpty(),
                    "no resume from an instance that cannot see the caller's triggers");
            assertEquals(pausesBefore, h.asterisk.requests("POST", "/ari/recordings/live/.*/pause").size());

            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + h.app.httpPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("replaced"), ready.body());

            List<ILoggingEvent> errors = logged.events().stream().filter(e -> e.getLevel() == Level.ERROR
                    && e.getFormattedMessage().contains("another client registered ARI application")).toList();
            assertEquals(1, errors.size(), "said once, loudly");
            assertTrue(errors.get(0).getFormattedMessage().contains("CR_ARI_APP"), "names the key to change");
        }
    }
}
