package org.consentrecorder.ari;

import ch.loway.oss.ari4java.tools.HttpParam;
import ch.loway.oss.ari4java.tools.HttpResponseHandler;
import ch.loway.oss.ari4java.tools.RestException;
import ch.loway.oss.ari4java.tools.WsClient;
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
 */
public final class VertxAriWsClient implements WsClient {
    private final WebSocketClient client;
    private final AriEndpoint endpoint;
    private final Duration connectTimeout;
    private final AtomicReference<WebSocket> socket = new AtomicReference<>();

    public VertxAriWsClient(WebSocketClient client, AriEndpoint endpoint, Duration connectTimeout) {
        this.client = client;
        this.endpoint = endpoint;
        this.connectTimeout = connectTimeout;
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
            ws.textMessageHandler(text -> {
                callback.onResponseReceived();
                callback.onSuccess(text);
            });
            ws.exceptionHandler(callback::onFailure);
            ws.closeHandler(v -> {
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
