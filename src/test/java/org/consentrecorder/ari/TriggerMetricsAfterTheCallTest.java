package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.loway.oss.ari4java.generated.models.Message;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.config.Secret;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.Test;

/**
 * A trigger taken straight off its frame is counted, and its lag measured, only after the call's own turn on the
 * event socket's loop: a call that lives on that loop (one in four on a 2-core machine) sends its pause before the
 * metrics run, which took 0.2-2 ms of the loop in a fresh process (issue 14).
 */
class TriggerMetricsAfterTheCallTest {

    @Test
    void aCallOnTheSocketsLoopTakesItsTurnBeforeTheTriggerIsCounted() throws Exception {
        FakeAsterisk asterisk = FakeAsterisk.start();
        Vertx vertx = Vertx.vertx();
        List<String> order = new CopyOnWriteArrayList<>();
        try {
            AriEndpoint endpoint = new AriEndpoint(URI.create(asterisk.url()), FakeAsterisk.USER,
                    Secret.of(FakeAsterisk.PASSWORD), FakeAsterisk.USER);
            Promise<AriConnection> ready = Promise.promise();
            vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    AriConnection.Listener listener = new AriConnection.Listener() {
                        @Override
                        public Future<Void> resync(AriClient client) {
                            return Future.succeededFuture();
                        }

                        @Override
                        public void onEvent(Message event) {
                        }

                        @Override
                        public boolean onTrigger(TriggerFrame trigger) {
                            // as a call session on this loop takes a trigger: its turn is queued on the loop
                            context.runOnContext(v -> order.add("call " + trigger.eventName()));
                            return true;
                        }
                    };
                    ready.complete(new AriConnection(vertx, context, endpoint,
                            () -> vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions()),
                            vertx.createWebSocketClient(new WebSocketClientOptions()), Duration.ofSeconds(5),
                            Duration.ofMillis(50), Duration.ofMillis(200), listener));
                }
            });
            AriConnection ari = ready.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ari.useMetrics(new AriMetrics() {
                @Override
                public void triggerDelivered(TriggerFrame trigger) {
                    order.add("counted " + trigger.eventName() + (trigger.timestampMillis() > 0 ? " with its lag" : ""));
                }
            });
            ari.start();
            asterisk.await("the ARI connection", ari::connected, Duration.ofSeconds(10));

            String channel = asterisk.placeCall("+15551230001");
            asterisk.userEvent(channel, "PaymentStart");
            asterisk.await("the trigger counted", () -> order.size() == 2, Duration.ofSeconds(10));
            assertEquals(List.of("call PaymentStart", "counted PaymentStart with its lag"), order);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            asterisk.close();
        }
    }
}
