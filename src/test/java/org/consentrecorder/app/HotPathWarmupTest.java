package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.consentrecorder.ari.AriBindingSelector;
import org.consentrecorder.ari.AriEventDecoder;
import org.consentrecorder.call.AriEventTranslator;
import org.consentrecorder.call.CallSettings;
import org.consentrecorder.call.CallSettingsLoader;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.ConfigSource;
import org.junit.jupiter.api.Test;

class HotPathWarmupTest {
    private static final CallSettings SETTINGS = CallSettingsLoader.load(new ConfigReader(ConfigSource.of(Map.of())));

    /** The binding a real Asterisk 22 (ARI 10) gets. */
    private static AriEventDecoder newestBinding() {
        return new AriEventDecoder(AriBindingSelector.select("10.0.0").binding());
    }

    @Test
    void everyEventTypeTheTranslatorActsOnIsDecodedAndRouted() {
        HotPathWarmup.Exercise ex = HotPathWarmup.exercise(newestBinding(), SETTINGS, 1);
        assertEquals(AriEventTranslator.HANDLED_TYPES, ex.decodedTypes(), "a canned event for every handled type");
        assertEquals(AriEventTranslator.HANDLED_TYPES, ex.routedTypes(),
                "every canned event reaches a call (none is ignored, so the routing code runs too)");
        assertEquals(Set.of("ChannelDtmfReceived", "ChannelUserevent"), ex.shortcutTypes(),
                "the triggers' canned frames, as Asterisk writes them, take the shortcut (TriggerFrame) too");
        assertEquals(AriEventTranslator.HANDLED_TYPES.size(), HotPathWarmup.cannedEvents().size()
                        - 1 /* the snoop's own StasisStart */,
                "one frame per type, plus the snoop channel's StasisStart");
    }

    @Test
    void theCoreRunsAWholeRecordedCallWithAPauseAndAResumeToItsEnd() {
        HotPathWarmup.Exercise ex = HotPathWarmup.exercise(newestBinding(), SETTINGS, 1);
        assertTrue(ex.commands().containsAll(Set.of("Answer", "Play", "RecordDecision", "CreateSnoop",
                "StartRecording", "PauseRecording", "ResumeRecording", "ArchiveRecording", "Finished")),
                "commands issued: " + ex.commands());
        assertTrue(ex.callEnded(), "the throwaway call ended");
    }

    @Test
    void leavesNoStateBehind_aSecondRunSeesExactlyWhatTheFirstSaw() {
        AriEventDecoder decoder = newestBinding();
        HotPathWarmup.Exercise first = HotPathWarmup.exercise(decoder, SETTINGS, 3);
        HotPathWarmup.Exercise again = HotPathWarmup.exercise(decoder, SETTINGS, 1);
        assertEquals(first, again);
    }
    /**
     * A start sends enough recording controls on every loop for the HTTP client's code to be compiled before the
     * first call (on a real Asterisk a fresh process's first pauses took 4–8 ms on that code, about 1 ms from its
     * 200th request on); a later warm-up in the same process only opens the connections again. Counted where they
     * arrive, at the double, and each one about a recording that does not exist.
     */
    @Test
    void aStartRunsTheControlsOnEveryLoopOftenEnoughToCompileTheClient_aLaterWarmupOnlyOpensTheConnections()
            throws Exception {
        org.consentrecorder.testing.ari.FakeAsterisk asterisk = org.consentrecorder.testing.ari.FakeAsterisk.start();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            org.consentrecorder.ari.AriEndpoint endpoint = new org.consentrecorder.ari.AriEndpoint(
                    java.net.URI.create(asterisk.url()), org.consentrecorder.testing.ari.FakeAsterisk.USER,
                    org.consentrecorder.config.Secret.of(org.consentrecorder.testing.ari.FakeAsterisk.PASSWORD),
                    org.consentrecorder.testing.ari.FakeAsterisk.USER);
            org.consentrecorder.ari.VertxAriHttpClient http = new org.consentrecorder.ari.VertxAriHttpClient(
                    () -> vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(2)),
                    () -> vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(2)),
                    endpoint, java.time.Duration.ofSeconds(10));
            ch.loway.oss.ari4java.ARI ari = new ch.loway.oss.ari4java.ARI();
            ari.setVersion(AriBindingSelector.select("10.0.0").binding());
            ari.setHttpClient(http);
            // never connected here: ari4java only insists that an action have one
            ari.setWsClient(new org.consentrecorder.ari.VertxAriWsClient(vertx, vertx.createWebSocketClient(), endpoint,
                    java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(10)));
            org.consentrecorder.ari.AriClient client = new org.consentrecorder.ari.AriClient(ari, http, "warmup-test");
            java.util.List<io.vertx.core.Context> loops = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                java.util.concurrent.CompletableFuture<io.vertx.core.Context> deployed = new java.util.concurrent.CompletableFuture<>();
                vertx.deployVerticle(new io.vertx.core.AbstractVerticle() {
                    @Override
                    public void start() {
                        deployed.complete(context);
                    }
                });
                loops.add(deployed.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }

            HotPathWarmup.run(vertx, newestBinding(), SETTINGS, loops, () -> client, 2, true)
                    .toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            // per loop: six controls a round, four more through a call shell's session, and one GET of the missing recording
            int perRound = 6 + org.consentrecorder.call.ShellWarmup.REQUESTS_PER_ROUND;
            int atStart = asterisk.warmupRequests();
            assertEquals(loops.size() * (HotPathWarmup.FIRST_CONTROL_ROUNDS * perRound + 1), atStart);
            assertTrue(loops.size() * HotPathWarmup.FIRST_CONTROL_ROUNDS * 6 >= 200,
                    "past the point where the client got fast on a real Asterisk");

            HotPathWarmup.run(vertx, newestBinding(), SETTINGS, loops, () -> client, 2, false)
                    .toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(loops.size() * (HotPathWarmup.LATER_CONTROL_ROUNDS * perRound + 1), asterisk.warmupRequests() - atStart);
            // besides them only GET /asterisk/info, as many as the pools hold: no request about a channel or a real recording
            assertTrue(asterisk.requests().stream().allMatch(r -> r.method().equals("GET") && r.path().endsWith("/asterisk/info")),
                    "only the warm-up's own requests: " + asterisk.requests());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            asterisk.close();
        }
    }
}
