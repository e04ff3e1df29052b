package org.consentrecorder.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.consentrecorder.bench.LoadRun.Call;
import org.consentrecorder.bench.LoadRun.Mark;
import org.consentrecorder.bench.LoadRun.Phase;
import org.consentrecorder.bench.LoadRun.Segment;
import org.consentrecorder.bench.LoadRun.Trigger;

/** The figures of one run, computed from what {@link LoadRun} recorded. */
record LoadResult(LoadOptions options, Instant started, Duration wall, LoadRun run, List<String> errors,
                  List<String> appProblems, Map<String, Long> dbCounts, String appPlacement, String database,
                  Path appLog, Path jfr, String profile) {

    static final long PAUSE_P99_TARGET_NANOS = 5_000_000;
    static final long BYTES_PER_CALL_TARGET = 64 * 1024;

    /** Latencies of one kind, in nanoseconds, sorted. */
    record Latency(String name, long[] nanos) {
        static Latency of(String name, List<Long> values) {
            long[] a = values.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(a);
            return new Latency(name, a);
        }

        int count() {
            return nanos.length;
        }

        /** Nearest-rank percentile. */
        long p(double q) {
            if (nanos.length == 0) {
                return -1;
            }
            int rank = (int) Math.ceil(q / 100.0 * nanos.length);
            return nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))];
        }

        long max() {
            return nanos.length == 0 ? -1 : nanos[nanos.length - 1];
        }
    }

    // ---- latencies ---------------------------------------------------------------------------------

    private Latency calls(String name, ToLongFunction<Call> from, ToLongFunction<Call> to) {
        List<Long> v = new ArrayList<>();
        for (Call c : run.measuredCalls()) {
            long a = from.applyAsLong(c);
            long b = to.applyAsLong(c);
            if (a > 0 && b > 0) {
                v.add(b - a);
            }
        }
        return Latency.of(name, v);
    }

    Latency stasisToAnswer() {
        return calls("StasisStart to answer", c -> c.stasisStart, c -> c.answer);
    }

    Latency keyToDecision() {
        return calls("key to decision (evidence stored, subscribe sent)", c -> c.key, c -> c.decision);
    }

    Latency keyToContinue() {
        return calls("key to continue (recording set up)", c -> c.key, c -> c.continued);
    }

    Latency stasisToContinue() {
        return calls("StasisStart to continue (whole IVR)", c -> c.stasisStart, c -> c.continued);
    }

    Latency triggerToPause() {
        return triggerToPause("trigger to pause, all", s -> true);
    }

    Latency triggerToPause(String name, Predicate<Segment> which) {
        List<Long> v = new ArrayList<>();
        for (Call c : run.measuredCalls()) {
            for (Segment s : c.segments) {
                if (s.pauseTrigger > 0 && s.pauseArrived > 0 && which.test(s)) {
                    v.add(s.pauseArrived - s.pauseTrigger);
                }
            }
        }
        return Latency.of(name, v);
    }

    /** The warm-up calls: a just-started JVM taking the same call rate (not part of the targets). */
    Latency warmupTriggerToPause() {
        List<Long> v = new ArrayList<>();
        for (Call c : run.warmupCalls()) {
            for (Segment s : c.segments) {
                if (s.pauseTrigger > 0 && s.pauseArrived > 0) {
                    v.add(s.pauseArrived - s.pauseTrigger);
                }
            }
        }
        return Latency.of("warm-up calls (cold JVM, not in the targets): trigger to pause", v);
    }

    Latency warmupStasisToAnswer() {
        List<Long> v = new ArrayList<>();
        for (Call c : run.warmupCalls()) {
            if (c.stasisStart > 0 && c.answer > 0) {
                v.add(c.answer - c.stasisStart);
            }
        }
        return Latency.of("warm-up calls (cold JVM, not in the targets): StasisStart to answer", v);
    }

    Latency triggerToResume() {
        List<Long> v = new ArrayList<>();
        for (Call c : run.measuredCalls()) {
            for (Segment s : c.segments) {
                if (s.resumeTrigger > 0 && s.resumeArrived > 0) {
                    v.add(s.resumeArrived - s.resumeTrigger);
                }
            }
        }
        return Latency.of("trigger to resume", v);
    }

    List<Latency> pauseBreakdown() {
        return List.of(
                triggerToPause("trigger to pause, UserEvent PaymentStart", s -> s.trigger == Trigger.USEREVENT),
                triggerToPause("trigger to pause, DTMF *7", s -> s.trigger == Trigger.DTMF),
                triggerToPause("trigger to pause, during the ramp (calls arriving)", s -> s.phase == Phase.RAMP),
                triggerToPause("trigger to pause, during the wind-down (calls ending)", s -> s.phase == Phase.WIND_DOWN));
    }

    int segmentsPlanned() {
        return run.measuredCalls().size() * options.segments();
    }

    int segmentsMeasured() {
        return triggerToPause().count();
    }

    // ---- throughput and resources --------------------------------------------------------------------

    Mark mark(Phase p) {
        return run.marks.stream().filter(m -> m.phase() == p).findFirst().orElse(null);
    }

    /** Achieved arrival rate: calls placed per second over the ramp. */
    double arrivalRate() {
        List<Call> c = run.measuredCalls();
        if (c.size() < 2) {
            return Double.NaN;
        }
        return (c.size() - 1) / ((c.get(c.size() - 1).placed - c.get(0).placed) / 1e9);
    }

    /** Calls through the IVR into the dialplan (recorded) per second, first to last. */
    double continueRate() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int n = 0;
        for (Call c : run.measuredCalls()) {
            if (c.continued > 0) {
                first = Math.min(first, c.continued);
                last = Math.max(last, c.continued);
                n++;
            }
        }
        return n < 2 ? Double.NaN : (n - 1) / ((last - first) / 1e9);
    }

    /** Recordings finished per second during the wind-down, first to last. */
    double finishRate() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int n = 0;
        for (Call c : run.measuredCalls()) {
            if (c.finished > 0) {
                first = Math.min(first, c.finished);
                last = Math.max(last, c.finished);
                n++;
            }
        }
        return n < 2 ? Double.NaN : (n - 1) / ((last - first) / 1e9);
    }

    /** Between two phase marks: seconds, events/s, requests/s, app cores, machine busy, double thread, postgres, driver JVM. */
    record Window(String name, double seconds, double eventsPerSecond, double appEventsPerSecond, double requestsPerSecond,
                  double appCores, double machineBusy, double doubleThreadCores, double postgresCores,
                  double driverCores, long gcCount, long gcMillis, boolean forked, Latency wakeUpDelay) {
        /** Cores used by everything else on the machine (other builds, the kernel's own threads). */
        double otherCores() {
            int n = Runtime.getRuntime().availableProcessors();
            double ours = (forked ? appCores : 0) + driverCores + (Double.isNaN(postgresCores) ? 0 : postgresCores);
            return Double.isNaN(machineBusy) ? Double.NaN : Math.max(0, machineBusy * n - ours);
        }
    }

    Window window(String name, Phase from, Phase to) {
        Mark a = mark(from);
        Mark b = mark(to);
        if (a == null || b == null) {
            return null;
        }
        double s = (b.nanos() - a.nanos()) / 1e9;
        return new Window(name, s,
                (b.eventsSent() - a.eventsSent()) / s,
                (b.app().eventsHandled() - a.app().eventsHandled()) / s,
                (b.requests() - a.requests()) / s,
                (b.app().cpuNanos() - a.app().cpuNanos()) / 1e9 / s,
                b.machine().busyFraction(a.machine()),
                a.doubleThreadCpu() < 0 || b.doubleThreadCpu() < 0 ? Double.NaN : (b.doubleThreadCpu() - a.doubleThreadCpu()) / 1e9 / s,
                a.postgresCpu() < 0 || b.postgresCpu() < 0 ? Double.NaN : (b.postgresCpu() - a.postgresCpu()) / 1e9 / s,
                (b.driverCpu() - a.driverCpu()) / 1e9 / s,
                b.app().gcCount() - a.app().gcCount(),
                b.app().gcMillis() - a.app().gcMillis(),
                options.fork(),
                new Latency("1 ms sleep overshoot", run.jitter.between(a.nanos(), b.nanos())));
    }

    List<Window> windows() {
        List<Window> w = new ArrayList<>();
        for (Window x : new Window[] {
                window("ramp", Phase.RAMP, Phase.PLATEAU),
                window("plateau (forced GC)", Phase.PLATEAU, Phase.WIND_DOWN),
                window("wind-down", Phase.WIND_DOWN, Phase.DONE)}) {
            if (x != null) {
                w.add(x);
            }
        }
        return w;
    }

    /** The busiest second of the run, events sent to the application. */
    double peakEventsPerSecond() {
        double peak = 0;
        List<LoadRun.Tick> t = run.timeline;
        for (int i = 1; i < t.size(); i++) {
            double dt = t.get(i).seconds() - t.get(i - 1).seconds();
            if (dt > 0.5) {
                peak = Math.max(peak, (t.get(i).eventsSent() - t.get(i - 1).eventsSent()) / dt);
            }
        }
        return peak;
    }

    /** Application CPU per measured call, ramp and wind-down (the plateau's forced GCs left out). */
    double appCpuMillisPerCall() {
        Window ramp = window("ramp", Phase.RAMP, Phase.PLATEAU);
        Window down = window("wind-down", Phase.WIND_DOWN, Phase.DONE);
        if (ramp == null || down == null) {
            return Double.NaN;
        }
        return (ramp.appCores() * ramp.seconds() + down.appCores() * down.seconds()) * 1000 / options.calls();
    }

    /**
     * For pauses slower than the target and for the others: the share that overlapped a late
     * wake-up (1 ms or more) of the probe thread, i.e. a moment when the machine had no free core.
     */
    record Overlap(int slow, int slowOverlapping, int fast, int fastOverlapping, Latency undisturbed) {
    }

    /** The longest late wake-up of the probe thread while a sample was under way (or shortly after). */
    long wakeUpDelayDuring(long from, long to) {
        long[] delays = run.jitter.between(from, to + 2_000_000);
        return delays.length == 0 ? 0 : delays[delays.length - 1];
    }

    Overlap slowPauseOverlap() {
        int slow = 0;
        int slowHit = 0;
        int fast = 0;
        int fastHit = 0;
        List<Long> undisturbed = new ArrayList<>();
        for (Call c : run.measuredCalls()) {
            for (Segment s : c.segments) {
                if (s.pauseTrigger <= 0 || s.pauseArrived <= 0) {
                    continue;
                }
                boolean hit = wakeUpDelayDuring(s.pauseTrigger, s.pauseArrived) >= 1_000_000;
                if (!hit) {
                    undisturbed.add(s.pauseArrived - s.pauseTrigger);
                }
                if (s.pauseArrived - s.pauseTrigger > PAUSE_P99_TARGET_NANOS) {
                    slow++;
                    slowHit += hit ? 1 : 0;
                } else {
                    fast++;
                    fastHit += hit ? 1 : 0;
                }
            }
        }
        return new Overlap(slow, slowHit, fast, fastHit, Latency.of("trigger to pause, no late wake-up", undisturbed));
    }

    long bytesPerCall() {
        return run.appLiveAtPlateau <= 0 ? -1 : (run.heapPlateau - run.heapBaseline) / run.appLiveAtPlateau;
    }

    boolean pauseTargetMet() {
        Latency l = triggerToPause();
        return l.count() > 0 && l.p(99) <= PAUSE_P99_TARGET_NANOS;
    }

    boolean memoryTargetMet() {
        long b = bytesPerCall();
        return b >= 0 && b <= BYTES_PER_CALL_TARGET;
    }

    String summary() {
        Latency p = triggerToPause();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d calls at %s/s: trigger-to-pause p50 %s p99 %s max %s ms (%d samples); ",
                options.calls(), options.rate(), ms(p.p(50)), ms(p.p(99)), ms(p.max()), p.count()));
        sb.append(String.format("StasisStart-to-answer p50 %s p99 %s ms; key-to-decision p50 %s p99 %s ms; ",
                ms(stasisToAnswer().p(50)), ms(stasisToAnswer().p(99)), ms(keyToDecision().p(50)), ms(keyToDecision().p(99))));
        sb.append(String.format("%d bytes/call; ", bytesPerCall()));
        Window ramp = window("ramp", Phase.RAMP, Phase.PLATEAU);
        if (ramp != null) {
            sb.append(String.format("ramp: %.0f events/s, app CPU %.2f cores; ", ramp.eventsPerSecond(), ramp.appCores()));
        }
        sb.append(errors.size()).append(" error(s)");
        for (String e : errors.subList(0, Math.min(errors.size(), 20))) {
            sb.append("\n  - ").append(e);
        }
        return sb.toString();
    }

    static String ms(long nanos) {
        return nanos < 0 ? "n/a" : String.format("%.2f", nanos / 1e6);
    }
}
