package org.consentrecorder.ari;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.AriVersion;
import ch.loway.oss.ari4java.generated.actions.requests.EventsEventWebsocketGetRequest;
import ch.loway.oss.ari4java.generated.models.Message;
import ch.loway.oss.ari4java.tools.AriConnectionEvent;
import ch.loway.oss.ari4java.tools.AriWSCallback;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.consentrecorder.config.ExternalText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events through Asterisk and an event WebSocket of its own before the application subscribes, so that the
 * first call's frames do not meet cold code on their way in.
 *
 * <p>Why: the warm-up before subscribing (the listener's {@code beforeSubscribe}) decodes canned frames and sends
 * the recording controls, but nothing had yet come in over a WebSocket, and every control was answered 404 with a
 * body where a pause is answered 204 without one. On the lab Asterisk the first call's frames were the first
 * through Netty's WebSocket decoder, Vert.x's frame handling and ari4java's socket handler, and HotSpot's own log
 * ({@code -XX:+LogCompilation}) showed it throwing compiled code of those paths and of the HTTP client away
 * (deoptimizing) within milliseconds of the first pause after a start (2026-11-28, README Performance).
 *
 * <p>How: a WebSocket for an application of its own, {@code {app}-warmup-{random}}, which Asterisk creates when
 * the socket opens and forgets when it closes, and user events addressed to it without a source, so that no
 * channel, bridge, dialplan variable or other application is touched. Each is answered 204 and arrives as a
 * {@code ChannelUserevent} frame with no channel (captured: {@code src/test/resources/ari-captures/event-rehearsal.jsonl}),
 * which takes the path a live frame takes: the trigger shortcut's reader, then ari4java's decoding. The rehearsal
 * never fails the connect: whatever goes wrong is logged and the application subscribes as it would have.
 */
final class EventRehearsal {
    private static final Logger LOG = LoggerFactory.getLogger(EventRehearsal.class);
    /** The user event's name; the double's test wrapper counts paths with "/warmup-" as warm-up, not as a call's. */
    static final String EVENT = "warmup-rehearsal";
    /** At most this many user events unanswered at once: enough to keep the socket busy, not a burst for Asterisk. */
    static final int IN_FLIGHT = 4;

    /** What one rehearsal did: user events answered 2xx, frames of them received, and how long it took. */
    record Result(String application, int answered, int received, Duration took) {
    }

    private EventRehearsal() {
    }

    /** The rehearsal's application: the real one's name, "-warmup-" and 8 random hex digits. */
    static String applicationFor(String application) {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return application + "-warmup-" + HexFormat.of().formatHex(random);
    }

    /**
     * Opens the rehearsal's socket, sends {@code events} user events to its application, and closes it once each
     * answered one's frame is in or {@code within} has passed. Run it on the context that will read the real
     * socket's frames. Never fails: a socket that does not open, or refused events, complete it with what was done.
     */
    static Future<Result> run(Vertx vertx, WebSocketClient wsClient, AriEndpoint endpoint, VertxAriHttpClient http,
                              AriVersion binding, int events, Duration within) {
        long started = System.nanoTime();
        String application = applicationFor(endpoint.application());
        AriEndpoint own = new AriEndpoint(endpoint.base(), endpoint.user(), endpoint.password(), application);
        VertxAriWsClient ws = new VertxAriWsClient(vertx, wsClient, own, within, within);
        // as a live frame: offered to the trigger shortcut's reader first (it declines a frame with no channel)
        ws.intercept(frame -> {
            TriggerFrame.read(frame);
            return false;
        });
        ARI ari = new ARI();
        ari.setAppName(application);
        ari.setVersion(binding);
        ari.setHttpClient(http);
        ari.setWsClient(ws);
        Promise<Result> done = Promise.promise();
        int[] answered = {0};
        int[] received = {0};
        int[] sent = {0};
        int[] pending = {0};
        EventsEventWebsocketGetRequest[] request = {null};
        Runnable finish = () -> {
            if (done.tryComplete(new Result(application, answered[0], received[0],
                    Duration.ofNanos(System.nanoTime() - started)))) {
                try {
                    if (request[0] != null) {
                        ari.closeAction(request[0]);
                    }
                } catch (ch.loway.oss.ari4java.tools.ARIException e) {
                    LOG.debug("closing the rehearsal's WebSocket: {}", ExternalText.forLog(e.getMessage()));
                }
            }
        };
        long timer = vertx.setTimer(Math.max(1, within.toMillis()), t -> finish.run());
        Runnable[] sendMore = {null};
        sendMore[0] = () -> {
            while (sent[0] < events && pending[0] < IN_FLIGHT && !done.future().isComplete()) {
                sent[0]++;
                pending[0]++;
                http.send("POST", "/events/user/" + EVENT + "?application=" + AriEndpoint.encode(application), List.of(), null)
                        .onComplete(ar -> {
                            pending[0]--;
                            if (ar.succeeded() && ar.result().ok()) {
                                answered[0]++;
                                sendMore[0].run();
                            } else {
                                // refused, or no answer: the rest would fare the same; stop sending
                                sent[0] = events;
                            }
                            if (sent[0] >= events && pending[0] == 0 && received[0] >= answered[0]) {
                                vertx.cancelTimer(timer);
                                finish.run();
                            }
                        });
            }
        };
        try {
            request[0] = ari.events().eventWebsocket(application);
            request[0].execute(new AriWSCallback<>() {
                @Override
                public void onConnectionEvent(AriConnectionEvent event) {
                    if (event == AriConnectionEvent.WS_CONNECTED) {
                        sendMore[0].run();
                    } else {
                        vertx.cancelTimer(timer);
                        finish.run();
                    }
                }

                @Override
                public void onSuccess(Message message) {
                    received[0]++;
                    if (sent[0] >= events && pending[0] == 0 && received[0] >= answered[0]) {
                        vertx.cancelTimer(timer);
                        finish.run();
                    }
                }

                @Override
                public void onFailure(RestException e) {
                    LOG.debug("rehearsal's WebSocket: {}", ExternalText.forLog(e.getMessage()));
                }
            });
        } catch (RestException | RuntimeException e) {
            vertx.cancelTimer(timer);
            LOG.warn("the event rehearsal could not open its WebSocket: {}", ExternalText.forLog(e.getMessage()));
            finish.run();
        }
        return done.future();
    }
}
