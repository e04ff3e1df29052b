package org.consentrecorder.ari;

import ch.loway.oss.ari4java.tools.HttpClient;
import ch.loway.oss.ari4java.tools.HttpParam;
import ch.loway.oss.ari4java.tools.HttpResponse;
import ch.loway.oss.ari4java.tools.HttpResponseHandler;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * ari4java's HTTP transport on Vert.x's pooled keep-alive client. A request is issued on the
 * caller's Vert.x context, so its response (and ari4java's callback) arrives on that same
 * context: the call that asked is the call that hears back, in order.
 *
 * <p>Built with a client factory, each event-loop thread gets a client (and connection pool) of
 * its own: its connections live on that event loop, so a call's request is written and its
 * answer read on the call's own thread, with no hand-over to another event loop in between.
 *
 * <p>Built with a second factory, the recording controls (pause, unpause, mute, unmute, stop,
 * cancel) get a small pool of their own per event loop. Asterisk's HTTP server answers one
 * request at a time per connection and Vert.x queues a request until a pooled connection is
 * free, so on a shared pool a pause could wait behind a recording download or a slow listing
 * while the caller's card digits reach the file; on its own pool it waits only for other
 * controls, which Asterisk answers in about a millisecond.
 */
public final class VertxAriHttpClient implements HttpClient {
    private final HttpClientAgent shared;
    private final Supplier<HttpClientAgent> perEventLoop;
    private final Map<Thread, HttpClientAgent> byEventLoop = new ConcurrentHashMap<>();
    private final HttpClientAgent sharedControl;
    private final Supplier<HttpClientAgent> controlPerEventLoop;
    private final Map<Thread, HttpClientAgent> controlByEventLoop = new ConcurrentHashMap<>();
    private final AriEndpoint endpoint;
    private final Duration timeout;
    private volatile AriMetrics metrics = AriMetrics.NOOP;
    private volatile String userAgent = "consent-recorder";

    /** One client for every caller. */
    public VertxAriHttpClient(HttpClientAgent client, AriEndpoint endpoint, Duration timeout) {
        this.shared = client;
        this.perEventLoop = null;
        this.sharedControl = client;
        this.controlPerEventLoop = null;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    /** A client per event-loop thread (created on first use), and one more for any other thread. */
    public VertxAriHttpClient(Supplier<HttpClientAgent> clientFactory, AriEndpoint endpoint, Duration timeout) {
        this(clientFactory, null, endpoint, timeout);
    }

    /** As above, with the recording controls on pools of their own (null: they share the others). */
    public VertxAriHttpClient(Supplier<HttpClientAgent> clientFactory, Supplier<HttpClientAgent> controlFactory,
                              AriEndpoint endpoint, Duration timeout) {
        this.shared = clientFactory.get();
        this.perEventLoop = clientFactory;
        this.sharedControl = controlFactory == null ? shared : controlFactory.get();
        this.controlPerEventLoop = controlFactory;
        this.endpoint = endpoint;
        this.timeout = timeout;
    }

    private HttpClientAgent client() {
        if (perEventLoop == null || !Context.isOnEventLoopThread()) {
            return shared;
        }
        return byEventLoop.computeIfAbsent(Thread.currentThread(), t -> perEventLoop.get());
    }

    private HttpClientAgent client(String method, String path) {
        return isControl(method, path) ? controlClient() : client();
    }

    /** The calling event loop's control pool (the shared one off an event loop, or the general pool when there are none). */
    private HttpClientAgent controlClient() {
        if (controlPerEventLoop == null) {
            return client();
        }
        if (!Context.isOnEventLoopThread()) {
            return sharedControl;
        }
        return controlByEventLoop.computeIfAbsent(Thread.currentThread(), t -> controlPerEventLoop.get());
    }

    /** POST .../pause|mute|stop, DELETE .../pause|mute and DELETE (cancel) on a live recording. */
    static boolean isControl(String method, String path) {
        if (!path.startsWith("/recordings/live/")) {
            return false;
        }
        if ("DELETE".equals(method)) {
            return true;
        }
        return "POST".equals(method)
                && (path.endsWith("/pause") || path.endsWith("/mute") || path.endsWith("/stop"));
    }

    /** The status and body of one ARI response. */
    public record Response(int status, Buffer body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Reports every request sent through {@link #send} from now on. */
    public void useMetrics(AriMetrics metrics) {
        this.metrics = java.util.Objects.requireNonNull(metrics);
    }

    /**
     * Names this instance in every request's User-Agent, so that Asterisk's HTTP log (and the tests' double) tells
     * which of several instances sent what; the instance id is an operator-chosen name, never a secret.
     */
    public void identifyAs(String instanceId) {
        userAgent = "consent-recorder (" + instanceId + ")";
    }

    /** Sends one request; completes with the response whatever its status. */
    public Future<Response> send(String method, String path, List<HttpParam> query, String body) {
        return send(client(method, path), method, path, query, body);
    }

    /**
     * Keeps the calling event loop's control connections open: {@code connections} concurrent
     * {@code GET /asterisk/ping} over its control pool, so the pool holds that many connections and
     * none has been idle long. Why: Asterisk closes a keep-alive connection that has carried no
     * request for http.conf's {@code session_keep_alive} (15 s by default, main/http.c) and starts a
     * thread for each new one, so a pause on a loop whose control connections had gone quiet paid
     * for a TCP connect and that thread, on a machine whose cores Asterisk's own threads were
     * already queueing for (run 8: a loop's first pause of a call took 5 ms at the median against 2
     * for its second, 33 ms at worst). A request sent as Asterisk closes the connection fails, too.
     * Completes with the number of 2xx answers.
     */
    public Future<Integer> keepControlConnectionsOpen(int connections) {
        HttpClientAgent control = controlClient();
        List<Future<Response>> pings = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            pings.add(send(control, "GET", "/asterisk/ping", List.of(), null));
        }
        return Future.join(pings).transform(x -> Future.succeededFuture(
                (int) pings.stream().filter(f -> f.succeeded() && f.result().ok()).count()));
    }

    private Future<Response> send(HttpClientAgent agent, String method, String path, List<HttpParam> query, String body) {
        long started = System.nanoTime();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(method))
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.tls())
                .setURI(endpoint.ariPath() + path + queryString(query))
                .setTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.AUTHORIZATION, endpoint.authorization())
                .putHeader(HttpHeaders.USER_AGENT, userAgent);
        return agent.request(options).compose(request -> {
            Future<io.vertx.core.http.HttpClientResponse> sent;
            if (body != null && !body.isEmpty()) {
                request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
                sent = request.send(Buffer.buffer(body, StandardCharsets.UTF_8.name()));
            } else {
                sent = request.send();
            }
            return sent.compose(response -> response.body().map(b -> new Response(response.statusCode(), b)));
        }).andThen(ar -> metrics.requestCompleted(method, path, ar.succeeded() ? ar.result().status() : 0,
                System.nanoTime() - started));
    }

    /**
     * Opens a GET whose body is consumed as a stream (recording files can be hundreds of MB):
     * the response is returned paused-capable and unread, whatever its status.
     */
    public Future<io.vertx.core.http.HttpClientResponse> openStream(String path) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(endpoint.host())
                .setPort(endpoint.port())
                .setSsl(endpoint.tls())
                .setURI(endpoint.ariPath() + path)
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis() * 6)
                .putHeader(HttpHeaders.AUTHORIZATION, endpoint.authorization())
                .putHeader(HttpHeaders.USER_AGENT, userAgent);
        return client().request(options).compose(request -> request.send());
    }

    @Override
    public void httpActionAsync(String uri, String method, List<HttpParam> parametersQuery, String body,
                                List<HttpResponse> errors, HttpResponseHandler handler, boolean binary) {
        send(method, uri, parametersQuery, body).onComplete(ar -> {
            if (ar.failed()) {
                handler.onFailure(new RestException("ARI request " + method + " " + uri + " failed: "
                        + ar.cause().getMessage(), ar.cause()));
                return;
            }
            Response response = ar.result();
            handler.onResponseReceived();
            if (response.ok()) {
                if (binary) {
                    handler.onSuccess(response.body().getBytes());
                } else {
                    handler.onSuccess(response.body().toString(StandardCharsets.UTF_8));
                }
            } else {
                handler.onFailure(error(response, errors));
            }
        });
    }

    @Override
    public String httpActionSync(String uri, String method, List<HttpParam> parametersQuery, String body,
                                 List<HttpResponse> errors) throws RestException {
        Response response = await(send(method, uri, parametersQuery, body), method, uri);
        if (!response.ok()) {
            throw error(response, errors);
        }
        return response.body().toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] httpActionSyncAsBytes(String uri, String method, List<HttpParam> parametersQuery, String body,
                                        List<HttpResponse> errors) throws RestException {
        Response response = await(send(method, uri, parametersQuery, body), method, uri);
        if (!response.ok()) {
            throw error(response, errors);
        }
        return response.body().getBytes();
    }

    @Override
    public void destroy() {
        // the Vert.x client belongs to the application and is closed with Vert.x
    }

    /** Synchronous calls exist for command-line checks only; on an event loop they would stall every call. */
    private Response await(Future<Response> future, String method, String uri) throws RestException {
        if (Context.isOnEventLoopThread()) {
            throw new RestException("blocking ARI call " + method + " " + uri + " refused on a Vert.x event loop");
        }
        try {
            return future.toCompletionStage().toCompletableFuture()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException("interrupted waiting for ARI " + method + " " + uri);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new RestException("ARI request " + method + " " + uri + " failed: " + cause.getMessage(), cause);
        }
    }

    private static RestException error(Response response, List<HttpResponse> errors) {
        String text = response.body().toString(StandardCharsets.UTF_8);
        if (errors != null) {
            for (HttpResponse known : errors) {
                if (known.getCode() == response.status()) {
                    return new RestException(known.getDescription(), text, response.status());
                }
            }
        }
        return new RestException(text, response.status());
    }

    static String queryString(List<HttpParam> params) {
        if (params == null || params.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (HttpParam p : params) {
            if (p.getValue() == null || p.getValue().isEmpty()) {
                continue;
            }
            sb.append(sb.length() == 0 ? '?' : '&')
                    .append(AriEndpoint.encode(p.getName()))
                    .append('=')
                    .append(AriEndpoint.encode(p.getValue()));
        }
        return sb.toString();
    }
}
