package org.consentrecorder.call;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Vert.x event-loop contexts calls live on. A call lives on the shard its channel id hashes to:
 * its events, REST answers, database results and timers all run there, one at a time, so a call's
 * events are handled in order.
 *
 * <p>The application gives each Asterisk server a single shard ({@link #on}): the context that reads
 * that server's event socket. A trigger then reaches its call, and the pause leaves, on the thread
 * that read the frame. Spread over the event loops, every event crossed to another thread first:
 * on two shared cores that hand-over, waking a thread that slept, was the largest step between the
 * frame and the pause request (issue 14; measured in bench/results/asterisk-2026-11-28-exp-one-loop.md).
 * One loop carries a server's calls without strain: their events were already decoded on it, one
 * after the other, and what a call adds to an event is a state machine's step and a request.
 */
public final class CallShards {
    private final List<Context> contexts;

    private CallShards(List<Context> contexts) {
        this.contexts = List.copyOf(contexts);
    }

    /** One shard: every call on {@code context}. */
    public static CallShards on(Context context) {
        return new CallShards(List.of(context));
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
