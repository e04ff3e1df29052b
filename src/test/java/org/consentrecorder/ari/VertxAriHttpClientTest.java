package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.loway.oss.ari4java.ARI;
import ch.loway.oss.ari4java.AriVersion;
import ch.loway.oss.ari4java.generated.models.AsteriskInfo;
import ch.loway.oss.ari4java.tools.AriCallback;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.consentrecorder.config.Secret;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ari4java's HTTP transport on Vert.x: answers come back on the context that asked, errors keep their status. */
class VertxAriHttpClientTest {
    private FakeAsterisk asterisk;
    private Vertx vertx;
    private ARI ari;

    @BeforeEach
    void setUp() {
        asterisk = FakeAsterisk.start();
        vertx = Vertx.vertx();
        AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
        VertxAriHttpClient http = new VertxAriHttpClient(vertx.createHttpClient(), endpoint, Duration.ofSeconds(5));
        ari = new ARI();
        ari.setVersion(AriVersion.ARI_10_0_0);
        ari.setHttpClient(http);
        ari.setWsClient(new VertxAriWsClient(vertx, vertx.createWebSocketClient(), endpoint, Duration.ofSeconds(5), Duration.ofSeconds(5)));
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        asterisk.close();
    }

    private List<Context> contexts(int n) throws Exception {
        List<Context> out = new CopyOnWriteArrayList<>();
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start() {
                out.add(context);
            }
        }, new DeploymentOptions().setInstances(n)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return out;
    }

    @Test
    void eachCallbackArrivesOnTheContextThatMadeTheRequest() throws Exception {
        List<Context> contexts = contexts(4);
        List<CompletableFuture<Boolean>> checks = new CopyOnWriteArrayList<>();
        for (Context ctx : contexts) {
            for (int i = 0; i < 5; i++) {
                CompletableFuture<Boolean> check = new CompletableFuture<>();
                checks.add(check);
                ctx.runOnContext(v -> {
                    try {
                        ari.asterisk().getInfo().execute(new AriCallback<>() {
                            @Override
                            public void onSuccess(AsteriskInfo info) {
                                check.complete(Vertx.currentContext() == ctx && "22.10.1".equals(info.getSystem().getVersion()));
                            }

                            @Override
                            public void onFailure(RestException e) {
                                check.completeExceptionally(e);
                            }
                        });
                    } catch (RestException e) {
                        check.completeExceptionally(e);
                    }
                });
            }
        }
        for (CompletableFuture<Boolean> c : checks) {
            assertTrue(c.get(10, TimeUnit.SECONDS), "callback on the caller's context");
        }
    }

    @Test
    void withAClientFactory_eachEventLoopHasItsOwnClient_andAnswersStayOnTheAskingContext() throws Exception {
        AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
        AtomicInteger created = new AtomicInteger();
        VertxAriHttpClient http = new VertxAriHttpClient(() -> {
            created.incrementAndGet();
            return vertx.createHttpClient();
        }, endpoint, Duration.ofSeconds(5));
        assertEquals(1, created.get(), "one client for threads that are not event loops");

        List<Context> contexts = contexts(4);
        Set<Thread> loops = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Boolean>> checks = new CopyOnWriteArrayList<>();
        for (Context ctx : contexts) {
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Boolean> check = new CompletableFuture<>();
                checks.add(check);
                ctx.runOnContext(v -> {
                    loops.add(Thread.currentThread());
                    http.send("GET", "/asterisk/info", List.of(), null).onComplete(ar -> check.complete(
                            ar.succeeded() && ar.result().status() == 200 && Vertx.currentContext() == ctx));
                });
            }
        }
        for (CompletableFuture<Boolean> c : checks) {
            assertTrue(c.get(10, TimeUnit.SECONDS), "answered, on the caller's context");
        }
        assertEquals(1 + loops.size(), created.get(), "one more client per event-loop thread that asked");

        assertEquals(200, http.send("GET", "/asterisk/info", List.of(), null).toCompletionStage()
                .toCompletableFuture().get(10, TimeUnit.SECONDS).status());
        assertEquals(1 + loops.size(), created.get(), "other threads share the first client");
    }

    @Test
    void anAriErrorKeepsItsStatusAndAsterisksMessage() throws Exception {
        CompletableFuture<RestException> failure = new CompletableFuture<>();
        contexts(1).get(0).runOnContext(v -> {
            try {
                ari.channels().answer("nope").execute(new AriCallback<>() {
                    @Override
                    public void onSuccess(Void result) {
                        failure.completeExceptionally(new AssertionError("404 expected"));
                    }

                    @Override
                    public void onFailure(RestException e) {
                        failure.complete(e);
                    }
                });
            } catch (RestException e) {
                failure.completeExceptionally(e);
            }
        });
        RestException e = failure.get(10, TimeUnit.SECONDS);
        assertEquals(404, e.getCode());
        assertEquals("Channel not found", e.getMessage());
    }

    @Test
    void aBlockingCallOnAnEventLoopIsRefused() throws Exception {
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        contexts(1).get(0).runOnContext(v -> {
            try {
                ari.asterisk().getInfo().execute();
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        Throwable t = result.get(10, TimeUnit.SECONDS);
        assertInstanceOf(RestException.class, t);
        assertTrue(t.getMessage().contains("event loop"));
    }

    @Test
    void aBlockingCallOffTheEventLoopWorks() throws Exception {
        assertEquals("22.10.1", ari.asterisk().getInfo().execute().getSystem().getVersion());
    }

    @Test
    void aPauseIsNotQueuedBehindASlowRequestWhenControlsHaveTheirOwnPool() throws Exception {
        AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
        // one connection each: on a shared pool the pause would have to wait for the slow listing
        VertxAriHttpClient http = new VertxAriHttpClient(
                () -> vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1)),
                () -> vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1)),
                endpoint, Duration.ofSeconds(10));
        asterisk.delay("GET", "/ari/recordings/stored", Duration.ofSeconds(3), 1);
        Context ctx = contexts(1).get(0);
        CompletableFuture<Boolean> slowStillPendingWhenPauseAnswered = new CompletableFuture<>();
        CompletableFuture<Integer> pauseStatus = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            var slow = http.send("GET", "/recordings/stored", List.of(), null);
            http.send("POST", "/recordings/live/no-such-recording/pause", List.of(), null).onComplete(ar -> {
                slowStillPendingWhenPauseAnswered.complete(!slow.isComplete());
                pauseStatus.complete(ar.succeeded() ? ar.result().status() : -1);
            });
        });
        assertTrue(slowStillPendingWhenPauseAnswered.get(10, TimeUnit.SECONDS),
                "the pause was answered while the slow request still held the other pool's only connection");
        assertEquals(404, pauseStatus.get(10, TimeUnit.SECONDS));
    }

    @Test
    void onlyRecordingControlsCountAsControls() {
        assertTrue(VertxAriHttpClient.isControl("POST", "/recordings/live/cr-x/pause"));
        assertTrue(VertxAriHttpClient.isControl("DELETE", "/recordings/live/cr-x/pause"));
        assertTrue(VertxAriHttpClient.isControl("POST", "/recordings/live/cr-x/mute"));
        assertTrue(VertxAriHttpClient.isControl("DELETE", "/recordings/live/cr-x/mute"));
        assertTrue(VertxAriHttpClient.isControl("POST", "/recordings/live/cr-x/stop"));
        assertTrue(VertxAriHttpClient.isControl("DELETE", "/recordings/live/cr-x"));
        assertEquals(false, VertxAriHttpClient.isControl("GET", "/recordings/live/cr-x"));
        assertEquals(false, VertxAriHttpClient.isControl("GET", "/recordings/stored/cr-x/file"));
        assertEquals(false, VertxAriHttpClient.isControl("POST", "/channels/1.2/answer"));
    }
}
