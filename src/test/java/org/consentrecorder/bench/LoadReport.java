package org.consentrecorder.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.consentrecorder.bench.LoadResult.Latency;
import org.consentrecorder.bench.LoadResult.Window;
import org.consentrecorder.bench.LoadRun.Call;
import org.consentrecorder.bench.LoadRun.Segment;
import org.consentrecorder.bench.LoadRun.Tick;

/**
 * Writes a run to {@code load-<date>.md} (the table people read), {@code load-<date>.csv} (one
 * row per latency sample) and {@code load-<date>-timeline.csv} (one row per second).
 */
final class LoadReport {
    static final String COMMAND = "mvn -B -Pbench test-compile exec:exec";

    private LoadReport() {
    }

    static List<Path> write(LoadResult r, Path dir) throws IOException {
        Files.createDirectories(dir);
        String date = DateTimeFormatter.ISO_LOCAL_DATE.format(r.started().atZone(ZoneOffset.UTC));
        Path md = dir.resolve("load-" + date + ".md");
        Path csv = dir.resolve("load-" + date + ".csv");
        Path timeline = dir.resolve("load-" + date + "-timeline.csv");
        Files.writeString(md, markdown(r, date, csv.getFileName().toString(), timeline.getFileName().toString()),
                StandardCharsets.UTF_8);
        Files.writeString(csv, samples(r), StandardCharsets.UTF_8);
        Files.writeString(timeline, timeline(r), StandardCharsets.UTF_8);
        return List.of(md, csv, timeline);
    }

    static String command(LoadOptions o) {
        return LoadOptions.defaults().commandLine().equals(o.commandLine()) ? COMMAND
                : COMMAND + " -Dbench.args='" + o.commandLine() + "'";
    }

    static String markdown(LoadResult r, String date, String csvName, String timelineName) {
        LoadOptions o = r.options();
        StringBuilder md = new StringBuilder();
        md.append("# Load benchmark: ").append(o.calls()).append(" concurrent calls\n\n");
        md.append("Produced by `").append(command(o)).append("` (main class `org.consentrecorder.bench.LoadBenchmark`, ")
                .append("test sources). Raw data: [").append(csvName).append("](").append(csvName)
                .append(") (one row per latency sample), [").append(timelineName).append("](").append(timelineName)
                .append(") (one row per second).\n\n");

        // ---- verdict ----
        Latency pause = r.triggerToPause();
        long bpc = r.bytesPerCall();
        md.append("## Against the targets\n\n");
        md.append("| figure | measured | target | |\n|---|---:|---:|---|\n");
        md.append(row("trigger-to-pause p99 at " + o.calls() + " concurrent calls", LoadResult.ms(pause.p(99)) + " ms",
                "≤ 5 ms", verdict(r.pauseTargetMet(), pause.p(99) - LoadResult.PAUSE_P99_TARGET_NANOS, "ms")));
        md.append(row("heap per call (after GC, plateau minus baseline)", bpc < 0 ? "n/a" : String.format("%,d bytes (%.1f KiB)", bpc, bpc / 1024.0),
                "≤ 64 KiB", r.memoryTargetMet() ? "met" : bpc < 0 ? "**not measured**"
                        : String.format("**missed** by %.1f KiB", (bpc - LoadResult.BYTES_PER_CALL_TARGET) / 1024.0)));
        md.append(row("errors of any kind", String.valueOf(r.errors().size()), "0", r.errors().isEmpty() ? "met" : "**missed**"));
        md.append('\n');

        // ---- latencies ----
        md.append("## Latencies\n\n");
        md.append("Each is the time between two things the ARI double saw, both stamped with `System.nanoTime()` in the ")
                .append("double's JVM: an event written to the application's WebSocket, and the request it caused arriving ")
                .append("(before its body is read). Milliseconds; percentiles by nearest rank.\n\n");
        md.append("| latency | samples | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
        List<Latency> rows = new ArrayList<>();
        rows.add(pause);
        rows.addAll(r.pauseBreakdown());
        rows.add(r.triggerToResume());
        rows.add(r.stasisToAnswer());
        rows.add(r.keyToDecision());
        rows.add(r.keyToContinue());
        rows.add(r.stasisToContinue());
        if (o.warmupCalls() > 0) {
            rows.add(r.warmupTriggerToPause());
            rows.add(r.warmupStasisToAnswer());
        }
        for (Latency l : rows) {
            md.append("| ").append(l.name()).append(" | ").append(l.count()).append(" | ").append(LoadResult.ms(l.p(50)))
                    .append(" | ").append(LoadResult.ms(l.p(90))).append(" | ").append(LoadResult.ms(l.p(99)))
                    .append(" | ").append(LoadResult.ms(l.p(99.9))).append(" | ").append(LoadResult.ms(l.max())).append(" |\n");
        }
        md.append("\n- trigger to pause: a `ChannelUserevent` PaymentStart or the `7` of `*7` leaving the double, to ")
                .append(o.pauseStyle().equals("silence") ? "`POST /recordings/live/{name}/mute`" : "`POST /recordings/live/{name}/pause`")
                .append(" arriving. ").append(r.segmentsMeasured()).append(" of ").append(r.segmentsPlanned())
                .append(" planned payment pauses measured.\n");
        md.append("- StasisStart to answer: the caller's `StasisStart` to `POST /channels/{id}/answer`.\n");
        md.append("- key to decision: the `1` (`ChannelDtmfReceived`) to `POST /applications/{app}/subscription`, the first ")
                .append("request after the decision, sent once the consent evidence is committed (insert + preference upsert + ")
                .append("history, one transaction).\n");
        md.append("- key to continue: the same key to `POST /channels/{id}/continue`: evidence, subscribe, snoop, record, ")
                .append("three variables.\n\n");

        // ---- throughput ----
        md.append("## Throughput and resources\n\n");
        md.append(String.format(Locale.ROOT, "- calls: %d measured (%d warm-up before them, not measured), offered %s new calls/s; ",
                o.calls(), o.warmupCalls(), num(o.rate())));
        md.append(String.format(Locale.ROOT, "achieved %.1f calls/s placed, %.1f calls/s through the IVR into the dialplan (recorded), "
                + "%.1f recordings/s finished in the wind-down.\n", r.arrivalRate(), r.continueRate(), r.finishRate()));
        md.append(String.format(Locale.ROOT, "- ARI events: %,d sent to the application, busiest second %.0f events/s.\n",
                r.run().eventsSent(), r.peakEventsPerSecond()));
        md.append(String.format(Locale.ROOT, "- application CPU: %.1f ms per call (ramp and wind-down, all of the call's work)%s.\n",
                r.appCpuMillisPerCall(), o.fork() ? "" : " (inline: includes the double and the generator)"));
        md.append(String.format(Locale.ROOT, "- heap after GC: baseline %,d KiB (after the warm-up, no calls), plateau %,d KiB with %d live calls.\n",
                r.run().heapBaseline / 1024, r.run().heapPlateau / 1024, r.run().appLiveAtPlateau));
        md.append("\n| window | seconds | ARI events/s (sent / handled) | REST requests/s | app CPU (cores) | machine busy | ")
                .append("double's event loop (cores) | PostgreSQL (cores) | double + generator JVM (cores) | other processes (cores) | app GCs (ms) | wake-up delay p50 / p99 / max (ms) |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Window w : r.windows()) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f / %.0f | %.0f | %.2f | %s | %s | %s | %.2f | %s | %d (%d) | %s / %s / %s |\n",
                    w.name(), w.seconds(), w.eventsPerSecond(), w.appEventsPerSecond(), w.requestsPerSecond(), w.appCores(),
                    pct(w.machineBusy()), cores(w.doubleThreadCores()), cores(w.postgresCores()), w.driverCores(),
                    cores(w.otherCores()), w.gcCount(), w.gcMillis(), LoadResult.ms(w.wakeUpDelay().p(50)),
                    LoadResult.ms(w.wakeUpDelay().p(99)), LoadResult.ms(w.wakeUpDelay().max())));
        }
        md.append("\nCores are CPU seconds per second (the machine has ").append(Runtime.getRuntime().availableProcessors())
                .append("). App CPU is the application JVM's process CPU time")
                .append(o.fork() ? " (its own JVM: the double, the load generator and PostgreSQL are not in it)" : " (inline: it includes the double and the generator)")
                .append("; machine busy is /proc/stat for the whole machine, other work on it included; other processes ")
                .append("is machine busy minus the application, the double's JVM and PostgreSQL. Wake-up delay: how much ")
                .append("later than asked a thread sleeping 1 ms in the double's JVM woke up (the operating system's ")
                .append("scheduling delay, the floor under every hand-over between threads and processes).\n\n");

        // ---- what limits the pause ----
        md.append("## What limits trigger-to-pause\n\n");
        LoadResult.Overlap ov = r.slowPauseOverlap();
        Window ramp = r.windows().isEmpty() ? null : r.windows().get(0);
        md.append(String.format(Locale.ROOT, "- %d of %d pauses took longer than 5 ms; %d of those (%s) overlapped a moment when a "
                        + "thread sleeping 1 ms in the double's JVM woke 1 ms or more late, against %d of the %d faster ones (%s).\n",
                ov.slow(), ov.slow() + ov.fast(), ov.slowOverlapping(), pct(ov.slow() == 0 ? Double.NaN : (double) ov.slowOverlapping() / ov.slow()),
                ov.fastOverlapping(), ov.fast(), pct(ov.fast() == 0 ? Double.NaN : (double) ov.fastOverlapping() / ov.fast())));
        Latency quiet = ov.undisturbed();
        md.append(String.format(Locale.ROOT, "- the %d pauses during which the probe thread was never 1 ms late: p50 %s, p99 %s, "
                        + "max %s ms (an estimate of what a machine with a free core gives; the raw CSV has the probe's "
                        + "worst delay for every sample).\n",
                quiet.count(), LoadResult.ms(quiet.p(50)), LoadResult.ms(quiet.p(99)), LoadResult.ms(quiet.max())));
        if (ramp != null) {
            md.append(String.format(Locale.ROOT, "- during the ramp the application used %.2f cores of %d while the machine was %s busy "
                            + "(other processes: %s cores); the scheduler woke the probe thread %s ms late at p99.\n",
                    ramp.appCores(), Runtime.getRuntime().availableProcessors(), pct(ramp.machineBusy()), cores(ramp.otherCores()),
                    LoadResult.ms(ramp.wakeUpDelay().p(99))));
        }
        if (r.profile() != null) {
            md.append('\n').append(r.profile());
        }
        if (o.notes() != null && Files.exists(o.notes())) {
            try {
                md.append('\n').append(Files.readString(o.notes(), StandardCharsets.UTF_8).trim()).append('\n');
            } catch (IOException e) {
                md.append("\n(notes file ").append(o.notes()).append(" unreadable: ").append(e.getMessage()).append(")\n");
            }
        }
        md.append('\n');

        // ---- errors ----
        md.append("## Errors\n\n");
        if (r.errors().isEmpty()) {
            md.append("None: no request answered with an error status, no event lost or dropped, no WARN or ERROR logged ")
                    .append("by the application, every pause and resume arrived, every call ended, and the database holds ");
            md.append(dbLine(r.dbCounts())).append(".\n\n");
        } else {
            for (String e : r.errors()) {
                md.append("- ").append(e.replace("\n", " ")).append('\n');
            }
            for (String p : r.appProblems()) {
                md.append("- app log: `").append(p.replace("`", "'")).append("`\n");
            }
            if (!r.dbCounts().isEmpty()) {
                md.append("- database: ").append(dbLine(r.dbCounts())).append('\n');
            }
            md.append('\n');
        }

        // ---- set-up ----
        md.append("## Set-up\n\n| | |\n|---|---|\n");
        md.append(row2("date (UTC)", date + " " + DateTimeFormatter.ofPattern("HH:mm").format(r.started().atZone(ZoneOffset.UTC))));
        md.append(row2("CPU", SystemCpu.cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available"));
        md.append(row2("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")));
        md.append(row2("JVM", ManagementFactory.getRuntimeMXBean().getVmName() + " " + System.getProperty("java.vm.version")));
        md.append(row2("application", r.appPlacement() + "; production logging (INFO, console appender to a file)"));
        md.append(row2("database", r.database() + ", pool " + o.appEnv().getOrDefault("CR_DB_POOL_SIZE", "10 (default)") + " connections"));
        md.append(row2("ARI double", "FakeAsterisk in the benchmark's JVM, one event loop; request/event history and tone synthesis off"));
        md.append(row2("calls", o.calls() + " at " + num(o.rate()) + "/s, then all live; hang-ups at " + num(o.rate()) + "/s; warm-up " + o.warmupCalls()));
        md.append(row2("each call", "StasisStart, answer, notice and choice prompts of " + o.prompt().toMillis() + " ms, key `1` "
                + o.think().toMillis() + " ms after the choice, evidence, subscribe, snoop, record, 3 variables, continue; "
                + o.segments() + " payment pause(s) of " + o.payment().toMillis() + " ms (the first during the ramp); hang-up; RecordingFinished"));
        md.append(row2("triggers", switch (o.trigger()) {
            case "userevent" -> "UserEvent PaymentStart / PaymentEnd";
            case "dtmf" -> "DTMF *7 / *8 (" + o.dtmfGap().toMillis() + " ms between keys)";
            default -> "alternating UserEvent PaymentStart/End and DTMF *7/*8 (" + o.dtmfGap().toMillis() + " ms between keys)";
        }));
        md.append(row2("pause style", o.pauseStyle() + (o.pauseStyle().equals("silence") ? " (ARI mute)" : " (ARI pause)")));
        md.append(row2("wall time", String.format(Locale.ROOT, "%.1f s", r.wall().toMillis() / 1000.0)));
        if (r.jfr() != null) {
            md.append(row2("profile", "JFR (settings `profile`) of the application, kept locally: `" + relative(r.jfr()) + "`"));
        }
        md.append(row2("arguments", "`" + o.commandLine() + "`"));
        md.append('\n');
        md.append("Time is compressed against a real contact centre: prompts of ").append(o.prompt().toMillis())
                .append(" ms instead of seconds and calls of seconds instead of minutes, so ").append(num(o.rate()))
                .append(" new calls per second reach ").append(o.calls())
                .append(" concurrent calls quickly. Per second, that is more work than a real centre with the same ")
                .append("number of calls (500 calls of 3 minutes arrive at about 3 per second).\n");
        return md.toString();
    }

    private static String relative(Path p) {
        try {
            return Path.of("").toAbsolutePath().relativize(p.toAbsolutePath()).toString();
        } catch (IllegalArgumentException e) {
            return p.toString();
        }
    }

    private static String dbLine(Map<String, Long> counts) {
        List<String> parts = new ArrayList<>();
        counts.forEach((k, v) -> parts.add(k + " " + v));
        return String.join(", ", parts);
    }

    private static String row(String a, String b, String c, String d) {
        return "| " + a + " | " + b + " | " + c + " | " + d + " |\n";
    }

    private static String row2(String a, String b) {
        return "| " + a + " | " + b + " |\n";
    }

    private static String verdict(boolean met, long overNanos, String unit) {
        if (met) {
            return "met";
        }
        return overNanos > 0 && unit.equals("ms") ? "**missed** by " + LoadResult.ms(overNanos) + " ms" : "**missed**";
    }

    private static String pct(double f) {
        return Double.isNaN(f) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", f * 100);
    }

    private static String cores(double c) {
        return Double.isNaN(c) ? "n/a" : String.format(Locale.ROOT, "%.2f", c);
    }

    private static String num(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    static String samples(LoadResult r) {
        // warm-up calls (phase "warmup", negative t_ms) are listed too; the tables leave them out
        // wakeup_delay_ms: the probe thread's longest late wake-up while the sample was under way
        StringBuilder csv = new StringBuilder("metric,call,channel,segment,trigger,phase,t_ms,latency_ms,live_calls,wakeup_delay_ms\n");
        long t0 = r.run().t0;
        List<Call> all = new ArrayList<>(r.run().warmupCalls());
        all.addAll(r.run().measuredCalls());
        for (Call c : all) {
            String callPhase = c.warmup ? "warmup" : "ramp";
            sample(r, csv, "stasis_to_answer", c, 0, "", callPhase, c.stasisStart, c.answer, c.liveAtStart, t0);
            sample(r, csv, "key_to_decision", c, 0, "", callPhase, c.key, c.decision, c.liveAtKey, t0);
            sample(r, csv, "key_to_continue", c, 0, "", callPhase, c.key, c.continued, c.liveAtKey, t0);
            for (Segment s : c.segments) {
                String phase = s.phase.name().toLowerCase(Locale.ROOT);
                String trigger = s.trigger.name().toLowerCase(Locale.ROOT);
                sample(r, csv, "trigger_to_pause", c, s.number, trigger, phase, s.pauseTrigger, s.pauseArrived, s.liveAtTrigger, t0);
                sample(r, csv, "trigger_to_resume", c, s.number, trigger, phase, s.resumeTrigger, s.resumeArrived, s.liveAtTrigger, t0);
            }
        }
        return csv.toString();
    }

    private static void sample(LoadResult r, StringBuilder csv, String metric, Call c, int segment, String trigger, String phase,
                               long from, long to, int live, long t0) {
        if (from <= 0 || to <= 0) {
            return;
        }
        csv.append(metric).append(',').append(c.index).append(',').append(c.channel).append(',')
                .append(segment == 0 ? "" : String.valueOf(segment)).append(',').append(trigger).append(',').append(phase)
                .append(',').append(String.format(Locale.ROOT, "%.1f", (from - t0) / 1e6)).append(',')
                .append(String.format(Locale.ROOT, "%.3f", (to - from) / 1e6)).append(',').append(live).append(',')
                .append(String.format(Locale.ROOT, "%.3f", r.wakeUpDelayDuring(from, to) / 1e6)).append('\n');
    }

    static String timeline(LoadResult r) {
        StringBuilder csv = new StringBuilder("t_s,phase,placed,live,finished,events_per_s,requests_per_s,app_cpu_cores,"
                + "machine_busy_pct,app_live_calls,app_heap_used_mb,app_gc_count\n");
        List<Tick> ticks = r.run().timeline;
        for (int i = 0; i < ticks.size(); i++) {
            Tick t = ticks.get(i);
            Tick p = i == 0 ? null : ticks.get(i - 1);
            double dt = p == null ? Double.NaN : t.seconds() - p.seconds();
            csv.append(String.format(Locale.ROOT, "%.2f,%s,%d,%d,%d,%s,%s,%s,%s,%d,%.1f,%d\n", t.seconds(),
                    t.phase().name().toLowerCase(Locale.ROOT), t.placed(), t.live(), t.finished(),
                    p == null ? "" : String.format(Locale.ROOT, "%.0f", (t.eventsSent() - p.eventsSent()) / dt),
                    p == null ? "" : String.format(Locale.ROOT, "%.0f", (t.requests() - p.requests()) / dt),
                    p == null ? "" : String.format(Locale.ROOT, "%.2f", (t.app().cpuNanos() - p.app().cpuNanos()) / 1e9 / dt),
                    p == null ? "" : String.format(Locale.ROOT, "%.0f", t.machine().busyFraction(p.machine()) * 100),
                    t.app().liveCalls(), t.app().heapUsed() / 1048576.0, t.app().gcCount()));
        }
        return csv.toString();
    }
}
