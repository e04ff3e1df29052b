package org.consentrecorder.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording of the application says about the measured windows (the load benchmark's
 * ramp and wind-down, the Asterisk benchmark's concurrent situations):
 * GC pauses, threads blocked on monitors, safepoint operations, CPU per thread, and where the
 * event loops spent their sampled time. Written into the results file as the run's profile.
 */
public final class JfrDigest {
    private JfrDigest() {
    }

    /** A time window of the run, wall clock. */
    public record Window(Instant from, Instant to) {
        boolean contains(Instant t) {
            return !t.isBefore(from) && t.isBefore(to);
        }
    }

    public static String markdown(Path jfr, List<Window> windows) {
        Predicate<RecordedEvent> inRun = e -> windows.stream().anyMatch(w -> w.contains(e.getStartTime()));
        double seconds = windows.stream().mapToDouble(w -> Duration.between(w.from(), w.to()).toMillis() / 1000.0).sum();
        List<RecordedEvent> events = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (inRun.test(e)) {
                    events.add(e);
                }
            }
        } catch (Exception e) {
            return "The JFR recording " + jfr + " could not be read: " + e + "\n";
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "From the JFR recording of the application (settings `profile`), the "
                + "measured windows only (%.1f s):\n\n", seconds));

        // GC
        long gcs = 0;
        double gcSum = 0;
        double gcMax = 0;
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                gcs++;
                double sum = e.getDuration("sumOfPauses").toNanos() / 1e6;
                gcSum += sum;
                gcMax = Math.max(gcMax, e.getDuration("longestPause").toNanos() / 1e6);
            }
        }
        md.append(String.format(Locale.ROOT, "- GC: %d collections, %.1f ms paused in total, longest pause %.1f ms.\n", gcs, gcSum, gcMax));

        // safepoint operations
        long vmOps = 0;
        double vmOpMax = 0;
        double vmOpSum = 0;
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.ExecuteVMOperation") && e.getBoolean("safepoint")) {
                vmOps++;
                double ms = e.getDuration().toNanos() / 1e6;
                vmOpSum += ms;
                vmOpMax = Math.max(vmOpMax, ms);
            }
        }
        md.append(String.format(Locale.ROOT, "- safepoint VM operations (GC included): %d, %.1f ms in total, longest %.1f ms.\n",
                vmOps, vmOpSum, vmOpMax));

        // monitors
        Map<String, double[]> monitors = new LinkedHashMap<>();
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.JavaMonitorEnter")) {
                String where = topFrame(e.getStackTrace()) + " (" + thread(e) + ")";
                double[] agg = monitors.computeIfAbsent(where, k -> new double[3]);
                double ms = e.getDuration().toNanos() / 1e6;
                agg[0]++;
                agg[1] += ms;
                agg[2] = Math.max(agg[2], ms);
            }
        }
        if (monitors.isEmpty()) {
            md.append("- threads blocked on a monitor for 10 ms or more: none.\n");
        } else {
            md.append("- threads blocked on a monitor for 10 ms or more (JFR's threshold):\n");
            monitors.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1])).limit(8)
                    .forEach(en -> md.append(String.format(Locale.ROOT, "  - %d x in `%s`, %.1f ms in total, longest %.1f ms\n",
                            (long) en.getValue()[0], en.getKey(), en.getValue()[1], en.getValue()[2])));
        }

        // CPU per thread: JFR reports each thread's share of the whole machine
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, double[]> perThread = new HashMap<>();
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.ThreadCPULoad")) {
                double[] agg = perThread.computeIfAbsent(thread(e), k -> new double[2]);
                agg[0] += (e.getFloat("user") + e.getFloat("system")) * cores;
                agg[1]++;
            }
        }
        Map<String, Double> cpu = new HashMap<>();
        perThread.forEach((name, agg) -> cpu.merge(threadGroupName(name), agg[0] / agg[1], Double::sum));
        List<String> cpuParts = new ArrayList<>();
        cpu.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(8)
                .forEach(en -> cpuParts.add(String.format(Locale.ROOT, "%s %.0f%%", en.getKey(), 100 * en.getValue())));
        md.append("- CPU by thread (percent of one core, mean of JFR's periodic readings, threads of a pool summed): ")
                .append(String.join(", ", cpuParts)).append(".\n");

        // where the event loops spend their time
        Map<String, Integer> frames = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : events) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample") && sampled(e).startsWith("vert.x-eventloop")) {
                samples++;
                frames.merge(firstOwnOrTopFrame(e.getStackTrace()), 1, Integer::sum);
            }
        }
        md.append("- event-loop execution samples: ").append(samples).append("; most frequent (first frame in ")
                .append("org.consentrecorder, else the top frame):\n");
        int total = samples;
        frames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(10)
                .forEach(en -> md.append(String.format(Locale.ROOT, "  - %d (%.0f%%) `%s`\n", en.getValue(),
                        100.0 * en.getValue() / Math.max(1, total), en.getKey())));
        return md.toString();
    }

    /** One slow pause to explain: its label and the time from its trigger until it was seen paused. */
    public record Slow(String label, Window window) {
    }

    /**
     * What the JVM did during each slow pause: GC pause time and safepoint operations overlapping it,
     * and what the event loops were sampled running inside it. A pause whose window holds neither a
     * JVM pause nor event-loop work waited outside the process (Asterisk, the scheduler).
     */
    public static String slowest(Path jfr, List<Slow> pauses) {
        if (pauses.isEmpty()) {
            return "";
        }
        Instant first = pauses.stream().map(p -> p.window().from()).min(Instant::compareTo).get().minusSeconds(1);
        Instant last = pauses.stream().map(p -> p.window().to()).max(Instant::compareTo).get().plusSeconds(1);
        List<RecordedEvent> events = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(jfr)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String type = e.getEventType().getName();
                if ((type.equals("jdk.GCPhasePause") || type.equals("jdk.ExecuteVMOperation") || type.equals("jdk.ExecutionSample"))
                        && !e.getEndTime().isBefore(first) && e.getStartTime().isBefore(last)) {
                    events.add(e);
                }
            }
        } catch (Exception e) {
            return "The JFR recording " + jfr + " could not be read: " + e + "\n";
        }
        StringBuilder md = new StringBuilder("The slowest pauses, and what the product's JVM did between their trigger and the poll "
                + "reading `paused` (JFR: GC pause phases and safepoint operations overlapping that span, event-loop execution "
                + "samples inside it, every 20 ms per thread):\n\n| pause | span ms | GC paused ms | safepoint ms | event-loop samples |\n"
                + "|---|---:|---:|---:|---|\n");
        for (Slow p : pauses) {
            Window w = p.window();
            double gc = 0;
            double safepoint = 0;
            Map<String, Integer> frames = new HashMap<>();
            for (RecordedEvent e : events) {
                String type = e.getEventType().getName();
                double overlap = overlapMs(e, w);
                if (type.equals("jdk.GCPhasePause")) {
                    gc += overlap;
                } else if (type.equals("jdk.ExecuteVMOperation") && e.getBoolean("safepoint")) {
                    safepoint += overlap;
                } else if (type.equals("jdk.ExecutionSample") && w.contains(e.getStartTime())
                        && sampled(e).startsWith("vert.x-eventloop")) {
                    frames.merge(firstOwnOrTopFrame(e.getStackTrace()), 1, Integer::sum);
                }
            }
            List<String> parts = new ArrayList<>();
            frames.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(4)
                    .forEach(en -> parts.add(en.getValue() + " x `" + en.getKey() + "`"));
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %s |%n", p.label(),
                    Duration.between(w.from(), w.to()).toNanos() / 1e6, gc, safepoint, parts.isEmpty() ? "none" : String.join(", ", parts)));
        }
        return md.toString();
    }

    private static double overlapMs(RecordedEvent e, Window w) {
        Instant from = e.getStartTime().isAfter(w.from()) ? e.getStartTime() : w.from();
        Instant to = e.getEndTime().isBefore(w.to()) ? e.getEndTime() : w.to();
        return to.isAfter(from) ? Duration.between(from, to).toNanos() / 1e6 : 0;
    }

    private static String sampled(RecordedEvent e) {
        RecordedThread t = e.getThread("sampledThread");
        return t == null ? "?" : t.getJavaName() == null ? t.getOSName() : t.getJavaName();
    }

    private static String thread(RecordedEvent e) {
        RecordedThread t = e.getThread();
        if (t == null && e.hasField("eventThread")) {
            t = e.getThread("eventThread");
        }
        return t == null ? "?" : t.getJavaName() == null ? t.getOSName() : t.getJavaName();
    }

    private static String threadGroupName(String name) {
        return name.replaceAll("-\\d+$", "-*").replaceAll("Thread\\d+$", "Thread*").replaceAll("#\\d+", "#*");
    }

    private static String topFrame(RecordedStackTrace st) {
        if (st == null || st.getFrames().isEmpty()) {
            return "?";
        }
        return frame(st.getFrames().get(0));
    }

    private static String firstOwnOrTopFrame(RecordedStackTrace st) {
        if (st == null || st.getFrames().isEmpty()) {
            return "?";
        }
        for (RecordedFrame f : st.getFrames()) {
            if (f.getMethod().getType().getName().startsWith("org.consentrecorder")) {
                return frame(f);
            }
        }
        return frame(st.getFrames().get(0));
    }

    private static String frame(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }
}
