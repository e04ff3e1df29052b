package org.consentrecorder.call;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One Vert.x event-loop context per shard. A call lives on the shard its channel id hashes to:
 * its events, REST answers, database results and timers all run there, one at a time, so a
 * call's events are handled in order while calls spread over the event loops.
 */
public final class CallShards {
    private final List<Context> contexts;

    private CallShards(List<Context> contexts) {
        this.contexts = List.copyOf(contexts);
    }

    /** Deploys one empty verticle per shard and keeps its context. */
    public static Future<CallShards> deploy(Vertx vertx, int count) {
        List<Context> contexts = new CopyOnWriteArrayList<>();
        return vertx.deployVerticle(() -> new AbstractVerticle() {
                    @Override
                    public void start() {
                        contexts.add(context);
                    }
                }, new DeploymentOptions().setInstances(count))
                .map(id -> new CallShards(contexts));
    }

    public Context contextFor(String key) {
        return contexts.get(Math.floorMod(key.hashCode(), contexts.size()));
    }

    /** Every shard's context (the start-up warm-up opens each one's ARI connections). */
    public List<Context> contexts() {
        return contexts;
    }

    public int size() {
        return contexts.size();
    }
}
