package org.consentrecorder.bench;

import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.consentrecorder.testing.ari.FakeAsterisk;

/**
 * One load run against a started application: places calls at the configured rate and plays the
 * caller, the dialplan and the agent for each of them, reacting to what the application asks of
 * the ARI double. Timestamps are the double's: when an event was written to the WebSocket and
 * when a request arrived, both with {@link System#nanoTime()} in the double's JVM.
 *
 * <p>Phases: warm-up (calls not measured, then all ended); ramp (calls arrive at the rate, each
 * takes the consent IVR, is recorded and continued, and has its first payment pause while others
 * are still arriving); plateau (all calls live and recorded, nothing happening: heap measured
 * after forced GC); wind-down (the remaining payment pauses while calls hang up at the rate, each
 * hang-up ending a recording).
 *
 * <p>All of a call's state lives on one driver thread; the double's probe only hands events over.
 */
final class LoadRun {
    private static final Pattern CHANNEL_ACTION = Pattern.compile("/ari/channels/([^/]+)/([a-z]+)");
    private static final Pattern LIVE_ACTION = Pattern.compile("/ari/recordings/live/([^/]+)(/[a-z]+)?");
    private static final Pattern SUBSCRIPTION = Pattern.compile("/ari/applications/[^/]+/subscription");
    private static final long PAUSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long FINISH_WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);

    enum Phase { WARMUP, RAMP, PLATEAU, WIND_DOWN, DONE }

    enum Trigger { USEREVENT, DTMF }

    /** One payment pause of a call. */
    static final class Segment {
        final int number;
        final Trigger trigger;
        Phase phase;
        long pauseTrigger;
        long pauseArrived;
        long resumeTrigger;
        long resumeArrived;
        boolean pausePressed;
        boolean resumePressed;
        int liveAtTrigger;

        Segment(int number, Trigger trigger) {
            this.number = number;
            this.trigger = trigger;
        }
    }

    /** One call as the load generator follows it. */
    static final class Call {
        final int index;
        final boolean warmup;
        String channel;
        String recording;
        long placed;
        long stasisStart;
        long answer;
        long key;
        long decision;
        long continued;
        long hangupSent;
        long finished;
        boolean keyScheduled;
        boolean readyForPlateau;
        long hangupAt;
        boolean broken;
        Segment current;
        final List<Segment> segments = new ArrayList<>();
        int liveAtStart;
        int liveAtKey;

        Call(int index, boolean warmup) {
            this.index = index;
            this.warmup = warmup;
        }
    }

    /** CPU and counters at a phase boundary. */
    record Mark(Phase phase, long nanos, java.time.Instant wall, AppMonitor.Stats app, SystemCpu.Machine machine, long driverCpu,
                long doubleThreadCpu, long postgresCpu, long eventsSent, long requests) {
    }

    /** One line of the per-second timeline. */
    record Tick(double seconds, Phase phase, int placed, int live, int finished, long eventsSent, long requests,
                AppMonitor.Stats app, SystemCpu.Machine machine) {
    }

    final LoadOptions options;
    private final FakeAsterisk asterisk;
    private final AppUnderTest app;
    private final long postmasterPid;
    private final ScheduledExecutorService driver = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-driver");
        t.setDaemon(true);
        return t;
    });
    private final Random random;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    // touched on the driver thread only
    private final Map<String, Call> byChannel = new java.util.HashMap<>();
    private final Map<String, Call> byRecording = new java.util.HashMap<>();
    private final List<Call> measured = new ArrayList<>();
    private final List<Call> warmup = new ArrayList<>();
    private volatile Phase phase = Phase.WARMUP;
    private int live;
    private int finishedMeasured;
    private int finishedWarmup;
    private int readyForPlateau;
    private long rampEnd;
    private volatile CountDownLatch phaseDone = new CountDownLatch(1);

    // written by the double's thread, read anywhere
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private volatile long doubleThreadId = -1;

    // results
    final long runStart = System.nanoTime();
    long t0;
    final List<String> errors = new CopyOnWriteArrayList<>();
    final Map<String, Integer> failedRequests = new ConcurrentHashMap<>();
    final List<Mark> marks = new CopyOnWriteArrayList<>();
    final List<Tick> timeline = new CopyOnWriteArrayList<>();
    final SchedulerJitter jitter = new SchedulerJitter();
    long heapBaseline;
    long heapPlateau;
    int appLiveAtPlateau;
    long plateauGcMillis;

    LoadRun(LoadOptions options, FakeAsterisk asterisk, AppUnderTest app, long postmasterPid) {
        this.options = options;
        this.asterisk = asterisk;
        this.app = app;
        this.postmasterPid = postmasterPid;
        this.random = new Random(options.seed());
        asterisk.probe(new FakeAsterisk.Probe() {
            @Override
            public void eventSent(String application, JsonObject event, long atNanos) {
                eventsSent.incrementAndGet();
                driver.execute(() -> onEvent(event, atNanos));
            }

            @Override
            public void requestArrived(String method, String path, Map<String, String> query, long atNanos) {
                if (doubleThreadId < 0) {
                    doubleThreadId = Thread.currentThread().getId();
                }
                requests.incrementAndGet();
                driver.execute(() -> onRequest(method, path, query, atNanos));
            }

            @Override
            public void answered(FakeAsterisk.Request r) {
                if (r.status() >= 400) {
                    String key = r.method() + " " + r.path().replaceAll("cr-[0-9a-f-]{36}", "{cr}")
                            .replaceAll("/channels/[0-9.]+", "/channels/{ch}") + " -> " + r.status();
                    failedRequests.merge(key, 1, Integer::sum);
                }
            }
        });
    }

    // ---- the run ---------------------------------------------------------------------------------

    void run() throws Exception {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-sampler");
            t.setDaemon(true);
            return t;
        });
        try {
            if (options.warmupCalls() > 0) {
                log("warm-up: " + options.warmupCalls() + " calls at " + options.rate() + "/s (not measured)");
                placeCalls(options.warmupCalls(), true);
                awaitPhase("the warm-up calls to end", options.warmupCalls() / options.rate() + 60);
                awaitAppIdle();
            }
            heapBaseline = app.heapAfterGc();
            log("baseline heap after GC: " + heapBaseline / 1024 + " KiB");
            Thread.sleep(300);
            t0 = System.nanoTime();
            sampler.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
            mark(Phase.RAMP);
            phase = Phase.RAMP;
            phaseDone = new CountDownLatch(1);
            log("ramp: " + options.calls() + " calls at " + options.rate() + "/s");
            placeCalls(options.calls(), false);
            awaitPhase("every call to be recorded and through its first payment pause",
                    options.calls() / options.rate() + 60);

            // plateau: every call is live and recorded; the driver sends nothing
            mark(Phase.PLATEAU);
            Thread.sleep(500);
            AppMonitor.Stats before = app.stats();
            heapPlateau = app.heapAfterGc();
            AppMonitor.Stats after = app.stats();
            appLiveAtPlateau = after.liveCalls();
            plateauGcMillis = after.gcMillis() - before.gcMillis();
            log("plateau: " + appLiveAtPlateau + " live calls, heap after GC " + heapPlateau / 1024 + " KiB ("
                    + (heapPlateau - heapBaseline) / Math.max(1, appLiveAtPlateau) + " bytes/call)");
            if (appLiveAtPlateau != options.calls()) {
                errors.add("at the plateau the application held " + appLiveAtPlateau + " calls, not " + options.calls());
            }
            Thread.sleep(500);

            phaseDone = new CountDownLatch(1);
            driver.execute(this::startWindDown);
            awaitPhase("every call to end", options.calls() / options.rate()
                    + (options.segments() - 1) * (options.payment().toMillis() / 1000.0 + 2) + 60);
            awaitAppIdle();
            mark(Phase.DONE);
            sampler.shutdownNow();
            sample();
            checkEventsHandled();
        } finally {
            jitter.close();
            sampler.shutdownNow();
            driver.shutdownNow();
            asterisk.probe(new FakeAsterisk.Probe() { });
        }
    }

    private void placeCalls(int count, boolean warm) {
        long start = System.nanoTime();
        long periodNanos = (long) (1e9 / options.rate());
        for (int i = 0; i < count; i++) {
            final int index = i;
            driver.schedule(() -> place(index, warm), i * periodNanos, TimeUnit.NANOSECONDS);
        }
        if (!warm) {
            rampEnd = start + count * periodNanos;
        }
    }

    private void awaitPhase(String what, double seconds) throws InterruptedException {
        if (!phaseDone.await((long) (seconds * 1000), TimeUnit.MILLISECONDS)) {
            CountDownLatch probe = new CountDownLatch(1);
            String[] state = new String[1];
            driver.execute(() -> {
                state[0] = describeStuck();
                probe.countDown();
            });
            probe.await(5, TimeUnit.SECONDS);
            throw new IllegalStateException("timed out after " + (long) seconds + " s waiting for " + what + "; "
                    + state[0] + "; errors so far: " + errors.subList(0, Math.min(10, errors.size())));
        }
    }

    private void awaitAppIdle() throws Exception {
        long deadline = System.nanoTime() + FINISH_WAIT_NANOS;
        while (app.stats().liveCalls() > 0) {
            if (System.nanoTime() > deadline) {
                errors.add("the application still held " + app.stats().liveCalls() + " calls "
                        + FINISH_WAIT_NANOS / 1_000_000_000 + " s after the last recording finished");
                return;
            }
            Thread.sleep(50);
        }
        // and the archive has taken every finished recording off Asterisk: a baseline taken while it
        // still encrypts would count its buffers as the calls' memory
        while (!asterisk.storedRecordings().isEmpty()) {
            if (System.nanoTime() > deadline) {
                errors.add(asterisk.storedRecordings().size() + " recordings were still not archived "
                        + FINISH_WAIT_NANOS / 1_000_000_000 + " s after the last call ended");
                return;
            }
            Thread.sleep(50);
        }
    }

    private String describeStuck() {
        List<Call> all = phase == Phase.WARMUP ? warmup : measured;
        int noChannel = 0;
        int noAnswer = 0;
        int noKey = 0;
        int noContinue = 0;
        int inSegment = 0;
        int notFinished = 0;
        for (Call c : all) {
            if (c.channel == null) {
                noChannel++;
            } else if (c.answer == 0) {
                noAnswer++;
            } else if (c.key == 0) {
                noKey++;
            } else if (c.continued == 0) {
                noContinue++;
            } else if (c.current != null) {
                inSegment++;
            } else if (c.finished == 0) {
                notFinished++;
            }
        }
        return "phase " + phase + ", calls: " + all.size() + " placed, " + noChannel + " without channel, " + noAnswer
                + " not answered, " + noKey + " without key, " + noContinue + " not continued, " + inSegment
                + " in a payment pause, " + notFinished + " not finished";
    }

    // ---- calls -----------------------------------------------------------------------------------

    private void place(int index, boolean warm) {
        Call c = new Call(index, warm);
        int number = warm ? 9_000_000 + index : 1_000_000 + index;
        c.placed = System.nanoTime();
        c.liveAtStart = ++live;
        (warm ? warmup : measured).add(c);
        c.channel = asterisk.placeCall(FakeAsterisk.USER, "+1555" + number, "Bench Caller", "100", "en");
        byChannel.put(c.channel, c);
        after(15_000, () -> {
            if (c.continued == 0 && !c.broken) {
                fail(c, "not continued into the dialplan within 15 s (answer " + (c.answer != 0) + ", key "
                        + (c.key != 0) + ", decision " + (c.decision != 0) + ")");
            }
        });
    }

    private void onInDialplan(Call c) {
        if (c.warmup) {
            after(500, () -> startSegment(c, Phase.WARMUP));
            return;
        }
        // the first payment pause while other calls are still arriving (at least 500 ms after continue)
        long spread = Math.max(0, rampEnd - System.nanoTime()) / 1_000_000;
        after(500 + (long) (random.nextDouble() * spread), () -> startSegment(c, Phase.RAMP));
    }

    private Trigger triggerFor(Call c, int segment) {
        return switch (options.trigger()) {
            case "userevent" -> Trigger.USEREVENT;
            case "dtmf" -> Trigger.DTMF;
            default -> (c.index + segment) % 2 == 0 ? Trigger.USEREVENT : Trigger.DTMF;
        };
    }

    private void startSegment(Call c, Phase in) {
        if (c.broken || c.hangupSent != 0) {
            return;
        }
        Segment s = new Segment(c.segments.size() + 1, triggerFor(c, c.segments.size()));
        s.phase = in;
        c.segments.add(s);
        c.current = s;
        s.liveAtTrigger = live;
        if (s.trigger == Trigger.USEREVENT) {
            s.pausePressed = true;
            asterisk.userEvent(c.channel, "PaymentStart");
        } else {
            asterisk.pressDtmf(c.channel, '*');
            after(options.dtmfGap().toMillis(), () -> {
                s.pausePressed = true;
                asterisk.pressDtmf(c.channel, '7');
            });
        }
        after(options.dtmfGap().toMillis() + PAUSE_WAIT_NANOS / 1_000_000, () -> {
            if (s.pauseArrived == 0 && !c.broken) {
                fail(c, "no pause request within " + PAUSE_WAIT_NANOS / 1_000_000 + " ms of trigger " + s.trigger
                        + " (segment " + s.number + ")");
            }
        });
    }

    private void onPauseArrived(Call c, Segment s) {
        after(options.payment().toMillis(), () -> {
            if (c.broken) {
                return;
            }
            if (s.trigger == Trigger.USEREVENT) {
                s.resumePressed = true;
                asterisk.userEvent(c.channel, "PaymentEnd");
            } else {
                asterisk.pressDtmf(c.channel, '*');
                after(options.dtmfGap().toMillis(), () -> {
                    s.resumePressed = true;
                    asterisk.pressDtmf(c.channel, '8');
                });
            }
            after(options.dtmfGap().toMillis() + PAUSE_WAIT_NANOS / 1_000_000, () -> {
                if (s.resumeArrived == 0 && !c.broken) {
                    fail(c, "no resume request within " + PAUSE_WAIT_NANOS / 1_000_000 + " ms of trigger "
                            + s.trigger + " (segment " + s.number + ")");
                }
            });
        });
    }

    private void onSegmentDone(Call c) {
        c.current = null;
        if (c.warmup) {
            after(300, () -> hangup(c));
            return;
        }
        if (phase == Phase.RAMP && !c.readyForPlateau) {
            c.readyForPlateau = true;
            readyForPlateau++;
            if (readyForPlateau == options.calls()) {
                phase = Phase.PLATEAU;
                phaseDone.countDown();
            }
            return;
        }
        if (phase == Phase.WIND_DOWN) {
            nextInWindDown(c);
        }
    }

    private void startWindDown() {
        phase = Phase.WIND_DOWN;
        mark(Phase.WIND_DOWN);
        long now = System.nanoTime();
        long perSegment = options.payment().toMillis() + 1000;
        long reserved = 300 + (options.segments() - 1) * perSegment;
        List<Call> order = new ArrayList<>(measured);
        Collections.shuffle(order, random);
        for (int k = 0; k < order.size(); k++) {
            Call c = order.get(k);
            // hang-ups at the call rate, in random order, after room for the remaining payment pauses
            long offset = (long) (k * 1000 / options.rate());
            c.hangupAt = now + (reserved + offset) * 1_000_000L;
            if (options.segments() > 1) {
                after(300 + (long) (random.nextDouble() * offset), () -> startSegment(c, Phase.WIND_DOWN));
            }
            atTime(c.hangupAt, () -> hangup(c));
        }
    }

    private void nextInWindDown(Call c) {
        long perSegment = (options.payment().toMillis() + 1000) * 1_000_000L;
        if (c.segments.size() < options.segments() && System.nanoTime() + perSegment < c.hangupAt) {
            after(300, () -> startSegment(c, Phase.WIND_DOWN));
        }
    }

    private void hangup(Call c) {
        if (c.hangupSent != 0) {
            return;
        }
        if (c.current != null && !c.broken) {
            // a payment pause still under way: hang up after it
            after(100, () -> hangup(c));
            return;
        }
        c.hangupSent = System.nanoTime();
        asterisk.callerHangsUp(c.channel);
        after(FINISH_WAIT_NANOS / 1_000_000, () -> {
            if (c.finished == 0) {
                errors.add("call " + c.channel + ": no RecordingFinished within " + FINISH_WAIT_NANOS / 1_000_000
                        + " ms of hang-up");
                c.finished = -1;
                countFinished(c);
            }
        });
    }

    private void countFinished(Call c) {
        live--;
        if (c.warmup) {
            if (++finishedWarmup == options.warmupCalls()) {
                phaseDone.countDown();
            }
        } else if (++finishedMeasured == options.calls()) {
            phase = Phase.DONE;
            phaseDone.countDown();
        }
    }

    private void fail(Call c, String why) {
        errors.add("call " + c.channel + ": " + why);
        c.broken = true;
        c.current = null;
        if (!c.warmup && !c.readyForPlateau && phase == Phase.RAMP) {
            c.readyForPlateau = true;
            if (++readyForPlateau == options.calls()) {
                phase = Phase.PLATEAU;
                phaseDone.countDown();
            }
        }
        if (c.warmup) {
            after(300, () -> hangup(c));
        }
    }

    // ---- what the application did (driver thread) ---------------------------------------------

    private void onEvent(JsonObject e, long at) {
        String type = e.getString("type");
        switch (type) {
            case "StasisStart" -> {
                Call c = byChannel.get(channelId(e));
                if (c != null && c.stasisStart == 0) {
                    c.stasisStart = at;
                }
            }
            case "PlaybackFinished" -> {
                JsonObject p = e.getJsonObject("playback");
                String media = p.getString("media_uri", "");
                String target = p.getString("target_uri", "");
                Call c = byChannel.get(target.startsWith("channel:") ? target.substring(8) : target);
                if (c != null && media.contains("/choice") && "done".equals(p.getString("state")) && !c.keyScheduled) {
                    c.keyScheduled = true;
                    after(options.think().toMillis(), () -> asterisk.pressDtmf(c.channel, '1'));
                }
            }
            case "ChannelDtmfReceived" -> {
                Call c = byChannel.get(channelId(e));
                if (c == null) {
                    return;
                }
                String digit = e.getString("digit");
                Segment s = c.current;
                if ("1".equals(digit) && c.key == 0) {
                    c.key = at;
                    c.liveAtKey = live;
                } else if (s != null && s.trigger == Trigger.DTMF) {
                    if ("7".equals(digit) && s.pausePressed && s.pauseTrigger == 0) {
                        s.pauseTrigger = at;
                    } else if ("8".equals(digit) && s.resumePressed && s.resumeTrigger == 0) {
                        s.resumeTrigger = at;
                    }
                }
            }
            case "ChannelUserevent" -> {
                Call c = byChannel.get(channelId(e));
                Segment s = c == null ? null : c.current;
                if (s == null || s.trigger != Trigger.USEREVENT) {
                    return;
                }
                String name = e.getString("eventname");
                if ("PaymentStart".equals(name) && s.pauseTrigger == 0) {
                    s.pauseTrigger = at;
                } else if ("PaymentEnd".equals(name) && s.resumeTrigger == 0) {
                    s.resumeTrigger = at;
                }
            }
            case "RecordingFinished" -> {
                Call c = byRecording.get(e.getJsonObject("recording").getString("name"));
                if (c != null && c.finished == 0) {
                    c.finished = at;
                    if (c.hangupSent == 0) {
                        errors.add("call " + c.channel + ": the recording finished before the caller hung up");
                    }
                    countFinished(c);
                }
            }
            default -> {
            }
        }
    }

    private void onRequest(String method, String path, Map<String, String> query, long at) {
        Matcher m;
        if ((m = CHANNEL_ACTION.matcher(path)).matches() && method.equals("POST")) {
            Call c = byChannel.get(m.group(1));
            if (c == null) {
                return;
            }
            switch (m.group(2)) {
                case "answer" -> {
                    if (c.answer == 0) {
                        c.answer = at;
                    }
                }
                case "snoop" -> {
                    String snoopId = query.get("snoopId");
                    if (snoopId != null && snoopId.endsWith("-snoop")) {
                        c.recording = snoopId.substring(0, snoopId.length() - "-snoop".length());
                        byRecording.put(c.recording, c);
                    }
                }
                case "continue" -> {
                    if (c.continued == 0) {
                        c.continued = at;
                        onInDialplan(c);
                    }
                }
                default -> {
                }
            }
        } else if (SUBSCRIPTION.matcher(path).matches() && method.equals("POST")) {
            String source = query.getOrDefault("eventSource", "");
            Call c = byChannel.get(source.startsWith("channel:") ? source.substring(8) : source);
            if (c != null && c.decision == 0) {
                c.decision = at;
            }
        } else if ((m = LIVE_ACTION.matcher(path)).matches()) {
            Call c = byRecording.get(m.group(1));
            if (c == null) {
                return;
            }
            String action = m.group(2) == null ? "" : m.group(2);
            boolean pauseAction = action.equals("/mute") || action.equals("/pause");
            Segment s = c.current;
            if (pauseAction && method.equals("POST")) {
                if (s == null || s.pauseArrived != 0) {
                    errors.add("call " + c.channel + ": a pause request nobody triggered (" + path + ")");
                    return;
                }
                s.pauseArrived = at;
                if (s.pauseTrigger == 0) {
                    errors.add("call " + c.channel + ": pause request before its trigger was seen");
                }
                onPauseArrived(c, s);
            } else if (pauseAction && method.equals("DELETE")) {
                if (s == null || s.resumeArrived != 0) {
                    errors.add("call " + c.channel + ": a resume request nobody triggered (" + path + ")");
                    return;
                }
                s.resumeArrived = at;
                onSegmentDone(c);
            } else {
                errors.add("call " + c.channel + ": unexpected " + method + " " + path
                        + " (a fail-closed stop or a discard)");
            }
        }
    }

    private static String channelId(JsonObject e) {
        JsonObject ch = e.getJsonObject("channel");
        return ch == null ? null : ch.getString("id");
    }

    // ---- scheduling --------------------------------------------------------------------------------

    private void after(long millis, Runnable r) {
        driver.schedule(guarded(r), millis, TimeUnit.MILLISECONDS);
    }

    private void atTime(long nanos, Runnable r) {
        driver.schedule(guarded(r), Math.max(0, nanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private Runnable guarded(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (RuntimeException e) {
                errors.add("load generator: " + e);
            }
        };
    }

    // ---- measuring ------------------------------------------------------------------------------------

    private void mark(Phase p) {
        try {
            marks.add(new Mark(p, System.nanoTime(), java.time.Instant.now(), app.stats(), SystemCpu.machine(), AppMonitor.processCpuNanos(),
                    doubleThreadCpu(), SystemCpu.processTreeNanos(postmasterPid), eventsSent.get(), requests.get()));
        } catch (Exception e) {
            errors.add("reading the application's statistics failed: " + e);
        }
    }

    private long doubleThreadCpu() {
        long id = doubleThreadId;
        return id < 0 ? -1 : threads.getThreadCpuTime(id);
    }

    private void sample() {
        try {
            CountDownLatch done = new CountDownLatch(1);
            int[] counts = new int[3];
            driver.execute(() -> {
                counts[0] = measured.size();
                counts[1] = live;
                counts[2] = finishedMeasured;
                done.countDown();
            });
            done.await(2, TimeUnit.SECONDS);
            timeline.add(new Tick((System.nanoTime() - t0) / 1e9, phase, counts[0], counts[1], counts[2],
                    eventsSent.get(), requests.get(), app.stats(), SystemCpu.machine()));
        } catch (Exception e) {
            // a missed sample only thins the timeline
        }
    }

    private void checkEventsHandled() throws Exception {
        // every event the double sent must have been handled by the application
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long sent = eventsSent.get();
        long handled;
        while ((handled = app.stats().eventsHandled()) < sent && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        AppMonitor.Stats s = app.stats();
        if (handled != sent) {
            errors.add("the double sent " + sent + " events, the application handled " + handled);
        }
        if (s.eventsDropped() > 0) {
            errors.add("the application dropped " + s.eventsDropped() + " events it could not decode");
        }
    }

    List<Call> measuredCalls() {
        return measured;
    }

    List<Call> warmupCalls() {
        return warmup;
    }

    long eventsSent() {
        return eventsSent.get();
    }

    Map<String, Integer> failedRequests() {
        return new TreeMap<>(failedRequests);
    }

    private void log(String s) {
        System.out.printf("[bench %6.1fs] %s%n", (System.nanoTime() - runStart) / 1e9, s);
    }
}
