package org.consentrecorder.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.loway.oss.ari4java.ARI;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.ari.AriBindingSelector;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriEndpoint;
import org.consentrecorder.ari.VertxAriHttpClient;
import org.consentrecorder.ari.VertxAriWsClient;
import org.consentrecorder.config.Secret;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * The shell's part of the warm-up against the double: on every loop a call session carries out pause and resume in
 * both styles through the production command table, each request about a recording Asterisk does not have (404),
 * and each answer goes back to the session's core; nothing else is asked of Asterisk.
 */
class ShellWarmupTest {

    @Test
    void everyLoopsSessionSendsPauseAndResumeInBothStylesForAMissingRecordingAndTakesEachAnswer() throws Exception {
        FakeAsterisk asterisk = FakeAsterisk.start();
        Vertx vertx = Vertx.vertx();
        try {
            AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                    Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
            VertxAriHttpClient http = new VertxAriHttpClient(
                    () -> vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(2)),
                    () -> vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(2)), endpoint, Duration.ofSeconds(10));
            ARI ari = new ARI();
            ari.setVersion(AriBindingSelector.select("10.0.0").binding());
            ari.setHttpClient(http);
            // never connected here: ari4java only insists that an action have one
            ari.setWsClient(new VertxAriWsClient(vertx, vertx.createWebSocketClient(), endpoint, Duration.ofSeconds(10),
                    Duration.ofSeconds(10)));
            AriClient client = new AriClient(ari, http, FakeAsterisk.USER);
            List<Context> loops = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Context> deployed = new CompletableFuture<>();
                vertx.deployVerticle(new AbstractVerticle() {
                    @Override
                    public void start() {
                        deployed.complete(context);
                    }
                });
                loops.add(deployed.get(10, TimeUnit.SECONDS));
            }

            CompletableFuture<Integer> answered = new CompletableFuture<>();
            // started from a context of its own, as the warm-up is (the ARI connection's)
            vertx.getOrCreateContext().runOnContext(v -> ShellWarmup.run(vertx, loops, () -> client, 3)
                    .onComplete(ar -> answered.complete(ar.succeeded() ? ar.result() : -1)));

            assertEquals(2 * 3 * ShellWarmup.REQUESTS_PER_ROUND, answered.get(20, TimeUnit.SECONDS),
                    "each request's answer reached its session's core");
            List<String> seen = asterisk.warmupRequestLines();
            assertEquals(24, seen.size(), "what the double answered: " + seen);
            for (String kind : List.of("POST /pause", "DELETE /pause", "POST /mute", "DELETE /mute")) {
                String method = kind.substring(0, kind.indexOf(' '));
                String end = kind.substring(kind.indexOf(' ') + 1);
                assertEquals(6, seen.stream().filter(l -> l.startsWith(method + " /ari/recordings/live/"
                        + ShellWarmup.RECORDING_PREFIX) && l.endsWith(end + " 404")).count(), kind + " in " + seen);
            }
            assertTrue(asterisk.requests().isEmpty(), "nothing else was asked: " + asterisk.requests());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            asterisk.close();
        }
    }
}
