package org.consentrecorder.app;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.consentrecorder.ari.VertxAriHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every call shard's pause connections to one Asterisk open between pauses.
 *
 * <p>Why: a pause goes out over its event loop's own control pool (see VertxAriHttpClient). Asterisk
 * closes a keep-alive connection that has carried no request for http.conf's
 * {@code session_keep_alive} (15 s by default), and each new connection costs a TCP connect and a
 * new thread in Asterisk. A shard sees a pause only when one of its calls has a payment, so its
 * connections often went quiet for longer than that: the next caller's card digits waited for the
 * connect (run 8 of the Asterisk benchmark), or the pause met a connection Asterisk was closing.
 * Every {@link #INTERVAL} each shard pings Asterisk over each of its control connections.
 *
 * <p>Limits: an Asterisk configured with a {@code session_keep_alive} shorter than the interval still
 * closes them (the README says to keep it at 15 s or more). Nothing is sent while the instance may not
 * act on the server (a standby: its client is withheld, the supplier answers null), so a standby pays for one connect per loop
 * at its take-over, when the warm-up opens them again anyway.
 */
final class ControlConnectionKeepAlive {
    private static final Logger LOG = LoggerFactory.getLogger(ControlConnectionKeepAlive.class);
    /** A third of Asterisk's default session_keep_alive: two pings may be lost before it closes anything. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private ControlConnectionKeepAlive() {
    }

    /**
     * Starts a periodic ping on each context (its timer fires on that context, so the ping leaves
     * over that event loop's own control pool); runs until Vert.x closes.
     */
    static void start(Vertx vertx, List<Context> contexts, Supplier<VertxAriHttpClient> client, int connectionsPerLoop,
                      Duration interval, String server) {
        for (Context context : contexts) {
            context.runOnContext(v -> vertx.setPeriodic(interval.toMillis(), interval.toMillis(), id -> {
                VertxAriHttpClient http = client.get();
                if (http == null) {
                    return;
                }
                http.keepControlConnectionsOpen(connectionsPerLoop).onComplete(ar -> {
                    if (ar.failed() || ar.result() < connectionsPerLoop) {
                        // the pause itself has its deadline and fails closed; this only says why it may be slow
                        LOG.debug("ARI server '{}': {} of {} control connections answered a ping", server,
                                ar.succeeded() ? ar.result() : 0, connectionsPerLoop);
                    }
                });
            }));
        }
    }
}
