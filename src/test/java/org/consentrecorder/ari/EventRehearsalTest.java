package org.consentrecorder.ari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.consentrecorder.config.Secret;
import org.consentrecorder.testing.ari.FakeAsterisk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event rehearsal against the double (whose user events and applications follow event-rehearsal.jsonl): every
 * user event is answered and comes back as a frame on the rehearsal's own socket, nothing but that application is
 * touched, and the application is gone afterwards; an Asterisk that refuses or does not answer only ends it early.
 */
class EventRehearsalTest {
    private static final Duration WITHIN = Duration.ofSeconds(5);
    private Vertx vertx;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private EventRehearsal.Result rehearse(URI base, String password, int events, Duration within) throws Exception {
        AriEndpoint endpoint = new AriEndpoint(base, FakeAsterisk.USER, Secret.of(password), "consent-recorder");
        VertxAriHttpClient http = new VertxAriHttpClient(() -> vertx.createHttpClient(new HttpClientOptions(),
                new PoolOptions().setHttp1MaxSize(4)), endpoint, Duration.ofSeconds(2));
        io.vertx.core.Promise<EventRehearsal.Result> result = io.vertx.core.Promise.promise();
        // as the connection does: on an event loop of its own
        vertx.getOrCreateContext().runOnContext(v -> EventRehearsal.run(vertx, vertx.createWebSocketClient(), endpoint,
                http, AriBindingSelector.newest(), events, within).onComplete(result));
        return result.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void givenAsterisk_thenEveryEventIsAnsweredAndComesBackOnTheRehearsalsOwnSocket_andItsApplicationIsGoneAfter()
            throws Exception {
        try (FakeAsterisk fake = FakeAsterisk.start()) {
            int before = fake.warmupRequests();
            EventRehearsal.Result r = rehearse(URI.create("http://127.0.0.1:" + fake.port()), FakeAsterisk.PASSWORD, 50, WITHIN);

            assertEquals(50, r.answered());
            assertEquals(50, r.received());
            assertTrue(r.application().matches("consent-recorder-warmup-[0-9a-f]{8}"), r.application());
            assertEquals(50, fake.warmupRequests() - before, "the user events, and nothing else counted as warm-up");
            List<FakeAsterisk.SentEvent> sent = fake.sentEvents();
            assertEquals(50, sent.size(), "every event went to the rehearsal's application: " + sent);
            for (FakeAsterisk.SentEvent e : sent) {
                assertEquals(r.application(), e.application());
                assertEquals("ChannelUserevent", e.json().getString("type"));
                assertEquals(EventRehearsal.EVENT, e.json().getString("eventname"));
                assertFalse(e.json().containsKey("channel"), "no channel is involved");
            }
            assertTrue(fake.requests().stream().noneMatch(q -> q.path().contains("/channels") || q.path().contains("/recordings")
                    || q.path().contains("/bridges")), "no channel, bridge or recording was asked about: " + fake.requests());
            fake.await("the rehearsal's socket closed", () -> !fake.connected(r.application()),
                    Duration.ofSeconds(5));
            java.net.http.HttpResponse<String> app = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fake.port() + "/ari/applications/"
                            + r.application())).header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString((FakeAsterisk.USER + ":" + FakeAsterisk.PASSWORD).getBytes())).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(404, app.statusCode(), "Asterisk forgot the rehearsal's application: " + app.body());
        }
    }

    @Test
    void givenAsteriskRefusesTheCredentials_thenTheRehearsalEndsAtOnceHavingDoneNothing() throws Exception {
        try (FakeAsterisk fake = FakeAsterisk.start()) {
            long started = System.nanoTime();
            EventRehearsal.Result r = rehearse(URI.create("http://127.0.0.1:" + fake.port()), "wrong", 50, WITHIN);
            assertEquals(0, r.answered());
            assertEquals(0, r.received());
            assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(WITHIN) < 0, "it did not wait for its limit");
            assertTrue(fake.sentEvents().isEmpty());
        }
    }

    @Test
    void givenNothingListens_thenTheRehearsalEndsWithNothingDone() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        EventRehearsal.Result r = rehearse(URI.create("http://127.0.0.1:" + port), FakeAsterisk.PASSWORD, 50,
                Duration.ofSeconds(2));
        assertEquals(0, r.answered());
        assertEquals(0, r.received());
    }
}
