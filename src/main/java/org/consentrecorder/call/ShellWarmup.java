package org.consentrecorder.call;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;

/**
 * The shell's half of the pause path, run for real before any call: a {@link CallSession} on each call shard's
 * context carries out pause and resume commands (skip and silence style) through the production {@link ShellCommands},
 * for a recording Asterisk does not have, and takes the answers back to its core as a call's session does.
 *
 * <p>Why: the application's warm-up ran the core and the recording controls, but not the shell between them, so
 * the first pause of a process was the first to run the pause command's handler. Temporary probes on the lab
 * Asterisk (2026-11-28, README Performance) put 0.5–1.2 ms of the first pause after a start between the shell
 * taking the command and the ARI client being asked for the request, against about 30 µs for the next pause
 * of the same call: Java links a lambda the first time its line runs, and those lines ran only then.
 *
 * <p>Harmless: the recording names start with {@link #RECORDING_PREFIX} and a random UUID, so Asterisk answers
 * every request 404 and nothing changes; the core here is a script that issues only those commands and takes
 * the answers (no timer, no database, no registry). Events are delivered from the caller's context, so that
 * each crosses to the session's context as a trigger crosses from the event socket's.
 */
public final class ShellWarmup {
    /** Recording names of the warm-up: Asterisk has none of them. */
    public static final String RECORDING_PREFIX = "warmup-";
    private static final String PAUSE = "pause";
    private static final String RESUME = "resume";
    /** Per round and context: pause and resume, each in the skip and the silence (mute) style. */
    public static final int REQUESTS_PER_ROUND = 4;

    private ShellWarmup() {
    }

    /**
     * {@code rounds} rounds on each context, one request at a time per context as a call sends them; completes
     * with the number of answers (any status) the sessions' scripts received, once all are in.
     */
    public static Future<Integer> run(Vertx vertx, List<Context> contexts, Supplier<AriClient> ari, int rounds) {
        Context caller = vertx.getOrCreateContext();
        List<Future<Integer>> all = new ArrayList<>();
        for (Context context : contexts) {
            all.add(onContext(vertx, caller, context, ari, rounds));
        }
        return Future.join(all).transform(x -> {
            int answered = 0;
            for (Future<Integer> f : all) {
                answered += f.succeeded() ? f.result() : 0;
            }
            return Future.succeededFuture(answered);
        });
    }

    private static Future<Integer> onContext(Vertx vertx, Context caller, Context context, Supplier<AriClient> ari,
                                             int rounds) {
        Script script = new Script(caller, RECORDING_PREFIX + UUID.randomUUID(), rounds * REQUESTS_PER_ROUND);
        CallSession session = new CallSession(vertx, context, script, ShellCommands.standard(),
                CallState.initial(UUID.randomUUID(), UUID.randomUUID()), "warmup-channel", ari, null, null,
                Clock.systemUTC(), 0);
        script.session = session;
        caller.runOnContext(v -> script.next());
        return script.done.future();
    }

    /**
     * The core as the warm-up's sessions see it: each answer (whatever its status) is counted and the next
     * request is asked for, alternating pause and resume and, each second pair, the silence style (ARI mute).
     */
    private static final class Script implements CallLogic {
        final Promise<Integer> done = Promise.promise();
        private final Context caller;
        private final String recording;
        private final int requests;
        private int sent;
        private int answered;
        CallSession session;

        Script(Context caller, String recording, int requests) {
            this.caller = caller;
            this.recording = recording;
            this.requests = requests;
        }

        /** Delivered from the caller's context: the session hops to its own, as for a trigger. */
        void next() {
            if (sent >= requests) {
                done.tryComplete(answered);
                return;
            }
            session.deliver(new CallEvent.UserEvent(sent % 2 == 0 ? PAUSE : RESUME));
        }

        @Override
        public CallCore.Next next(CallState state, CallEvent event, Instant now) {
            if (event instanceof CallEvent.UserEvent u) {
                int seq = ++sent;
                PauseStyle style = (seq - 1) / 2 % 2 == 0 ? PauseStyle.SKIP : PauseStyle.SILENCE;
                CallCommand command = PAUSE.equals(u.name())
                        ? new CallCommand.PauseRecording(new CommandKey.RecordingRequest(seq,
                                CommandKey.RecordingRequest.Kind.PAUSE), recording, style)
                        : new CallCommand.ResumeRecording(new CommandKey.RecordingRequest(seq,
                                CommandKey.RecordingRequest.Kind.RESUME), recording, style);
                return new CallCore.Next(state, List.of(command));
            }
            if (event instanceof CallEvent.CommandFailed || event instanceof CallEvent.CommandSucceeded) {
                answered++;
                // the answer arrives on the session's context; the next request starts from elsewhere again
                caller.runOnContext(v -> next());
            }
            return new CallCore.Next(state, List.of());
        }
    }
}
