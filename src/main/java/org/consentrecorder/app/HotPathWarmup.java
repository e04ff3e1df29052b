package org.consentrecorder.app;

import ch.loway.oss.ari4java.generated.models.Message;
import ch.loway.oss.ari4java.tools.RestException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import org.consentrecorder.ari.AriClient;
import org.consentrecorder.ari.AriEventDecoder;
import org.consentrecorder.call.AriEventTranslator;
import org.consentrecorder.call.CallCommand;
import org.consentrecorder.call.CallCore;
import org.consentrecorder.call.CallEvent;
import org.consentrecorder.call.CallSettings;
import org.consentrecorder.call.CallState;
import org.consentrecorder.call.ChannelSnapshot;
import org.consentrecorder.call.CommandKey;
import org.consentrecorder.call.RoutedEvent;
import org.consentrecorder.call.ShellWarmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pause path for real before the application subscribes to ARI events (so before any
 * call, any take-over re-asserting a pause, and before /health/ready can turn 200).
 *
 * <p>Why: on a real Asterisk the first pause after a start or a take-over took 120–180 ms against
 * a few ms once warm (issue 14): class loading, Jackson building its deserializers, interpreted
 * code and TCP connects that had not been made yet. Every millisecond past one 20 ms audio frame
 * is the caller's card digits in the recording, so that cost is paid here instead: every event
 * type the translator acts on is decoded through ari4java exactly as a live frame is, the call
 * core runs a whole consent → record → pause → resume → hang-up on a throwaway state (no I/O),
 * and on every call shard's event loop every recording control (pause, unpause, mute, unmute,
 * stop, cancel) is sent for a recording that does not exist (harmless 404s on the control pool;
 * {@link #FIRST_CONTROL_ROUNDS} rounds at a start, so that the client code is compiled, not
 * only loaded) and as many GET /asterisk/info as the main pool holds, so every pooled connection is open and
 * the client code is warm; then as many rounds of pause and resume go through a call shell's session
 * on each loop ({@link ShellWarmup}), again for a missing recording, so the shell's part runs too.
 * Channel commands are not sent: they are not on the pause path. (The lab Asterisk answers them 404 for a
 * missing channel and logs nothing, 2026-11-28; sending them was not measured to help the first pause.)
 */
final class HotPathWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(HotPathWarmup.class);
    static final String EVENTS_RESOURCE = "/warmup/ari-events.jsonl";
    /**
     * Enough for C2 to compile the decode, shortcut and core methods at the shipped compile thresholds
     * (deploy/jvm.options: a tenth of HotSpot's, so C2 after about 500 calls of a method).
     */
    static final int FIRST_ROUNDS = 600;
    static final int LATER_ROUNDS = 20;
    /**
     * Rounds of the six recording controls on each loop at a start. Why this many: on a real Asterisk
     * the pause request's round trip through the HTTP client took 4–8 ms for a fresh process's first
     * calls and about 1 ms from roughly its 200th request on (the client, Netty and ari4java code
     * compiled by then); 25 rounds on each of a 2-core machine's 4 loops are 600 requests, 404s
     * Asterisk answers in well under a millisecond each, before the first call. A take-over in a process that already ran
     * (LATER) finds that code compiled, and needs only its connections opened.
     */
    static final int FIRST_CONTROL_ROUNDS = 25;
    static final int LATER_CONTROL_ROUNDS = 3;

    /** What one exercise ran: the event types decoded and translated, the commands the core issued. */
    record Exercise(Set<String> decodedTypes, Set<String> routedTypes, Set<String> shortcutTypes, Set<String> commands,
                    boolean callEnded) {
    }

    private HotPathWarmup() {
    }

    /** The canned frames, one per event type the translator acts on (shapes from a real Asterisk 22). */
    static List<String> cannedEvents() {
        try (InputStream in = HotPathWarmup.class.getResourceAsStream(EVENTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(EVENTS_RESOURCE + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CPU part: decode, translate and run the core, {@code rounds} times. Pure: no I/O, nothing kept. */
    static Exercise exercise(AriEventDecoder decoder, CallSettings settings, int rounds) {
        List<String> frames = cannedEvents();
        Set<String> decoded = new TreeSet<>();
        Set<String> routed = new TreeSet<>();
        Set<String> shortcut = new TreeSet<>();
        Set<String> commands = new TreeSet<>();
        boolean ended = true;
        for (int i = 0; i < rounds; i++) {
            for (String frame : frames) {
                Message m;
                try {
                    m = decoder.decode(frame);
                } catch (RestException e) {
                    throw new IllegalStateException("a canned ARI event no longer decodes: " + e.getMessage(), e);
                }
                decoded.add(m.getType());
                RoutedEvent r = AriEventTranslator.translate(m);
                if (r.route() != RoutedEvent.Route.IGNORED) {
                    routed.add(m.getType());
                }
                // the triggers' shortcut (TriggerFrame) is the pause path's first step: warm it as a frame takes it
                org.consentrecorder.ari.TriggerFrame trigger = org.consentrecorder.ari.TriggerFrame.read(frame);
                if (trigger != null && AriEventTranslator.translate(trigger).route() != RoutedEvent.Route.IGNORED
                        && trigger.timestampMillis() >= 0) {
                    // the timestamp's parse is the event lag's, run after each trigger (AriConnection)
                    shortcut.add(trigger.type());
                }
            }
            ended &= runCall(settings, commands);
        }
        return new Exercise(decoded, routed, shortcut, commands, ended);
    }

    /** One call through the core, every request answered at once; true when the call ended. */
    private static boolean runCall(CallSettings settings, Set<String> commands) {
        CallCore core = new CallCore(settings);
        UUID callId = UUID.randomUUID();
        CallState state = CallState.initial(callId, UUID.randomUUID());
        Instant now = Instant.now();
        List<CallEvent> script = List.of(
                new CallEvent.Started(new ChannelSnapshot("warmup.1", "Local/100@incoming-warmup;2", "100",
                        "Warm Up", "100", "en", "warmup.0"), List.of("inbound"), "warmup"),
                new CallEvent.DtmfReceived(settings.ivr().acceptKey()),
                new CallEvent.UserEvent(settings.recording().pauseUserEvent()),
                new CallEvent.UserEvent(settings.recording().resumeUserEvent()),
                new CallEvent.HangupRequested(),
                new CallEvent.RecordingFinished(state.recordingName(), 5),
                new CallEvent.StasisEnded(),
                new CallEvent.ChannelDestroyed());
        for (CallEvent external : script) {
            Deque<CallEvent> pending = new ArrayDeque<>();
            pending.add(external);
            int steps = 0;
            while (!pending.isEmpty() && steps++ < 200) {
                now = now.plusMillis(20);
                CallCore.Next next = core.next(state, pending.removeFirst(), now);
                state = next.state();
                for (CallCommand c : next.commands()) {
                    commands.add(c.getClass().getSimpleName());
                    answer(c, pending);
                }
            }
        }
        return state.ended();
    }

    /** What Asterisk and the database would answer: every request succeeds, prompts play through (timers never fire). */
    private static void answer(CallCommand c, Deque<CallEvent> pending) {
        if (c instanceof CallCommand.LoadPreference) {
            pending.add(new CallEvent.PreferenceLoaded(false));
        }
        CommandKey key = keyOf(c);
        if (key != null) {
            pending.add(new CallEvent.CommandSucceeded(key));
        }
        if (c instanceof CallCommand.Play p) {
            pending.add(new CallEvent.PlaybackStarted(p.playbackId()));
            pending.add(new CallEvent.PlaybackFinished(p.playbackId(), false));
        } else if (c instanceof CallCommand.CreateSnoop s) {
            pending.add(new CallEvent.SnoopEnteredStasis(s.snoopId()));
        } else if (c instanceof CallCommand.StartRecording r) {
            pending.add(new CallEvent.RecordingStarted(r.recordingName()));
        }
    }

    private static CommandKey keyOf(CallCommand c) {
        RecordComponent[] components = c.getClass().getRecordComponents();
        if (components == null) {
            return null;
        }
        for (RecordComponent rc : components) {
            if (CommandKey.class.isAssignableFrom(rc.getType())) {
                try {
                    return (CommandKey) rc.getAccessor().invoke(c);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return null;
    }

    /**
     * On each context's event loop: every recording control, for a recording that does not exist
     * (Asterisk answers 404 and nothing changes), and as many concurrent
     * GET /asterisk/info as the pool holds, so every pooled connection is open. Completes with the
     * number of answers (any status) once all are in.
     */
    static Future<Integer> exerciseConnections(List<Context> contexts, Supplier<AriClient> client, int poolSize,
                                               int controlRounds) {
        List<Future<Integer>> all = new ArrayList<>();
        for (Context context : contexts) {
            Promise<Integer> done = Promise.promise();
            context.runOnContext(v -> onThisLoop(client.get(), poolSize, controlRounds).onComplete(done));
            all.add(done.future());
        }
        return Future.join(all).map(cf -> {
            int answered = 0;
            for (Future<Integer> f : all) {
                answered += f.succeeded() ? f.result() : 0;
            }
            return answered;
        });
    }

    private static Future<Integer> onThisLoop(AriClient ari, int poolSize, int controlRounds) {
        String missing = "warmup-" + UUID.randomUUID();
        List<Future<?>> requests = new ArrayList<>();
        for (int i = 0; i < poolSize; i++) {
            requests.add(ari.http().send("GET", "/asterisk/info", List.of(), null));
        }
        requests.add(ari.liveRecording(missing));
        Future<Void> controls = Future.succeededFuture();
        int[] answered = {0};
        for (int round = 0; round < controlRounds; round++) {
            // one after the other, as a call sends them: each round reuses the control connection
            controls = controls.transform(x -> answeredCount(answered, List.of(ari.pauseRecording(missing),
                    ari.unpauseRecording(missing), ari.muteRecording(missing), ari.unmuteRecording(missing),
                    ari.stopRecording(missing), ari.cancelRecording(missing))));
        }
        requests.add(controls);
        return Future.join(requests).transform(x -> {
            for (Future<?> f : requests) {
                if (f.succeeded() || f.cause() instanceof org.consentrecorder.ari.AriFailure) {
                    answered[0]++;
                }
            }
            return Future.succeededFuture(answered[0]);
        });
    }

    private static Future<Void> answeredCount(int[] answered, List<Future<Void>> requests) {
        return Future.join(requests).transform(x -> {
            for (Future<Void> f : requests) {
                if (f.succeeded() || f.cause() instanceof org.consentrecorder.ari.AriFailure) {
                    answered[0]++;
                }
            }
            return Future.succeededFuture();
        });
    }

    /** How long to wait for the compilers to go quiet after the warm-up (CompilerQuiet), at a start and later. */
    static final Duration FIRST_COMPILER_WAIT = Duration.ofSeconds(5);
    static final Duration LATER_COMPILER_WAIT = Duration.ofSeconds(1);

    /**
     * The whole warm-up: the CPU part on a worker thread (it takes a while cold), then the connections, then a
     * wait for the JIT compilers to finish what the two gave them (CompilerQuiet).
     */
    static Future<Void> run(Vertx vertx, AriEventDecoder decoder, CallSettings settings, List<Context> contexts,
                            Supplier<AriClient> client, int poolSize, boolean first) {
        long started = System.nanoTime();
        int rounds = first ? FIRST_ROUNDS : LATER_ROUNDS;
        return vertx.executeBlocking(() -> exercise(decoder, settings, rounds), false)
                .compose(ex -> {
                    long cpu = System.nanoTime();
                    int controlRounds = first ? FIRST_CONTROL_ROUNDS : LATER_CONTROL_ROUNDS;
                    return exerciseConnections(contexts, client, poolSize, controlRounds)
                            .compose(answered -> ShellWarmup.run(vertx, contexts, client, controlRounds)
                                    .map(shell -> answered + shell))
                            .compose(answered -> CompilerQuiet.await(vertx, CompilerQuiet.jvmCompilationMillis(),
                                    Duration.ofMillis(50), 3, first ? FIRST_COMPILER_WAIT : LATER_COMPILER_WAIT)
                                    .map(waited -> {
                        LOG.info("hot path warmed in {} ms ({} rounds of {} event types and a call through the core "
                                        + "in {} ms; {} ARI requests answered over {} event loops, through the call "
                                        + "shell's pause and resume too; {} ms for the compilers to go quiet)",
                                Duration.ofNanos(System.nanoTime() - started).toMillis(), rounds,
                                ex.decodedTypes().size(), Duration.ofNanos(cpu - started).toMillis(), answered,
                                contexts.size(), waited.toMillis());
                        return null;
                    }));
                });
    }
}
