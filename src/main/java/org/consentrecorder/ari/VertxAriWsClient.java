package org.consentrecorder.ari;

import ch.loway.oss.ari4java.tools.HttpParam;
import ch.loway.oss.ari4java.tools.HttpResponseHandler;
import ch.loway.oss.ari4java.tools.RestException;
import ch.loway.oss.ari4java.tools.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * ari4java's WebSocket transport on Vert.x. Frames are handed to ari4java's handler on the
 * context that opened the socket (the ARI connection's context), which decodes them and passes
 * them on. Reconnecting is not done here: {@link AriConnection} owns that policy.
 *
 * <p>A closed TCP connection is seen at once, but a silent one (a cable pulled, a firewall that
 * dropped its state, a peer frozen) is not: the app would keep believing it is connected, report
 * ready, and miss every call. So the socket is pinged every {@code liveness} and reported
 * disconnected when nothing at all (no pong, no event) has come back for two of those. Asterisk
 * answers pings (RFC 6455; its res_http_websocket replies with a pong), as Vert.x does.
 */
public final class VertxAriWsClient implements WsClient {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VertxAriWsClient.class);
    private static final Buffer PING = Buffer.buffer("cr-liveness");

    private final Vertx vertx;
    private final Duration liveness;
    private final WebSocketClient client;
    private final AriEndpoint endpoint;
    private final Duration connectTimeout;
    private final AtomicReference<WebSocket> socket = new AtomicReference<>();
    /** Offered every frame of the current socket before ari4java decodes it; true takes the frame (see {@link #intercept}). */
    private volatile java.util.function.Predicate<String> interceptor = frame -> false;

    /** {@code liveness}: how often the open socket is pinged; silence for twice that counts as a disconnection. */
    public VertxAriWsClient(Vertx vertx, WebSocketClient client, AriEndpoint endpoint, Duration connectTimeout, Duration liveness) {
        this.vertx = vertx;
        this.liveness = liveness;
        this.client = client;
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
    }

    /**
     * Frames of the open socket are offered to this first, on the socket's context; one it answers true to is
     * not handed to ari4java. Frames of a socket being replaced are not offered: they go the ordinary way,
     * where the connection tells its generations apart.
     */
    public void intercept(java.util.function.Predicate<String> frames) {
        this.interceptor = java.util.Objects.requireNonNull(frames);
    }

    @Override
    public WsClientConnection connect(HttpResponseHandler callback, String url, List<HttpParam> query)
            throws RestException {
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.tls())
                .setURI(endpoint.ariPath() + url + VertxAriHttpClient.queryString(query))
                .setConnectTimeout(connectTimeout.toMillis())
                .addHeader(HttpHeaders.AUTHORIZATION.toString(), endpoint.authorization());
        AtomicBoolean closedByUs = new AtomicBoolean();
        AtomicBoolean open = new AtomicBoolean();
        client.connect(options).onComplete(ar -> {
            if (ar.failed()) {
                callback.onFailure(new RestException("ARI WebSocket connect to " + endpoint.describe()
                        + " failed: " + ar.cause().getMessage(), ar.cause()));
                callback.onDisconnect();
                return;
            }
            WebSocket ws = ar.result();
            if (closedByUs.get()) {
                ws.close();
                return;
            }
            socket.set(ws);
            open.set(true);
            long[] lastHeard = {System.nanoTime()};
            ws.textMessageHandler(text -> {
                lastHeard[0] = System.nanoTime();
                callback.onResponseReceived();
                if (socket.get() == ws && interceptor.test(text)) {
                    return;
                }
                callback.onSuccess(text);
            });
            ws.pongHandler(b -> lastHeard[0] = System.nanoTime());
            ws.exceptionHandler(callback::onFailure);
            long pinger = vertx.setPeriodic(liveness.toMillis(), liveness.toMillis(), id -> {
                if (!open.get()) {
                    vertx.cancelTimer(id);
                } else if (System.nanoTime() - lastHeard[0] > liveness.multipliedBy(2).toNanos()) {
                    vertx.cancelTimer(id);
                    LOG.warn("ARI event WebSocket to {} silent for more than {} ms (no pong, no event); treating it as lost",
                            endpoint.describe(), liveness.multipliedBy(2).toMillis());
                    socket.compareAndSet(ws, null);
                    if (open.getAndSet(false)) {
                        callback.onDisconnect();
                    }
                    ws.close();
                } else {
                    ws.writePing(PING);
                }
            });
            ws.closeHandler(v -> {
                vertx.cancelTimer(pinger);
                socket.compareAndSet(ws, null);
                if (open.getAndSet(false)) {
                    callback.onDisconnect();
                }
            });
            callback.onChReadyToWrite();
        });
        return () -> {
            closedByUs.set(true);
            WebSocket ws = socket.getAndSet(null);
            if (ws != null) {
                ws.close();
            }
        };
    }

    @Override
    public void destroy() {
        WebSocket ws = socket.getAndSet(null);
        if (ws != null) {
            ws.close();
        }
    }

    @Override
    public boolean isWsConnected() {
        WebSocket ws = socket.get();
        return ws != null && !ws.isClosed();
    }
}
