package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The run's samples by subject and situation, written as Markdown with the command and the machine. */
final class Results {
    private final String asteriskVersion;
    private final AsteriskBenchmark.Options options;
    private final String loadAtStart = loadAverage();
    /** situation → subject → samples, in the order they were measured. */
    private final Map<String, Map<String, List<CallScript.Sample>>> samples = new LinkedHashMap<>();

    Results(String asteriskVersion, AsteriskBenchmark.Options options) {
        this.asteriskVersion = asteriskVersion;
        this.options = options;
    }

    void add(String subject, String situation, List<CallScript.Sample> s) {
        samples.computeIfAbsent(situation, k -> new LinkedHashMap<>()).computeIfAbsent(subject, k -> new ArrayList<>()).addAll(s);
        Stats st = Stats.of(s, null);
        System.out.printf(Locale.ROOT, "  %-45s %-10s n=%d p50=%.1f p99=%.1f max=%.1f ms, leak max %.0f ms, errors %d%n",
                situation, subject, st.n, st.p50, st.p99, st.max, st.leakMax, st.errors);
        s.stream().filter(x -> x.error() != null).map(CallScript.Sample::error).distinct()
                .forEach(e -> System.out.println("    error: " + e));
    }

    int failures() {
        int n = 0;
        for (Map<String, List<CallScript.Sample>> bySubject : samples.values()) {
            for (List<CallScript.Sample> s : bySubject.values()) {
                n += (int) s.stream().filter(x -> x.error() != null).count();
            }
        }
        return n;
    }

    record Stats(int n, double p50, double p99, double max, double leakMax, double leakTotal, int errors) {
        static Stats of(List<CallScript.Sample> all, String trigger) {
            List<CallScript.Sample> s = all.stream().filter(x -> trigger == null || x.trigger().equals(trigger)).toList();
            double[] lat = s.stream().filter(x -> x.latencyMs() >= 0).mapToDouble(CallScript.Sample::latencyMs).sorted().toArray();
            double leakMax = s.stream().mapToDouble(CallScript.Sample::leakMs).max().orElse(-1);
            double leakTotal = s.stream().filter(x -> x.leakMs() > 0).mapToDouble(CallScript.Sample::leakMs).sum();
            int errors = (int) s.stream().filter(x -> x.error() != null).count();
            return new Stats(s.size(), pct(lat, 0.50), pct(lat, 0.99), lat.length == 0 ? Double.NaN : lat[lat.length - 1],
                    leakMax, leakTotal, errors);
        }

        private static double pct(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    Path write(Path dir, LocalDate date) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Trigger-to-paused on a real Asterisk (").append(date).append(")\n\n");
        md.append("Command: `").append(options.command).append("`");
        md.append(" (options: warm calls ").append(options.warmCalls).append(", concurrency ")
                .append(java.util.Arrays.toString(options.concurrency)).append(", ramp ").append(options.rampMs).append(" ms)\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", Java ").append(System.getProperty("java.version")).append("; Asterisk ").append(asteriskVersion)
                .append(" (lab configuration; Local channels, and SIPp calls through chan_pjsip) on the same machine; benchmark JVM ")
                .append(ManagementFactory.getRuntimeMXBean().getName()).append(".\n\n");
        // the machine is shared: the figures only mean something beside how busy it was
        md.append("Load average (1, 5, 15 min; /proc/loadavg): at the start ").append(loadAtStart)
                .append(", at the end ").append(loadAverage()).append(".\n\n");
        md.append("Figure: from the trigger (`POST /events/user/PaymentStart` returned, or the caller's `7` of `*7` seen as ")
                .append("`ChannelDtmfReceived` on the callee) to `GET /recordings/live/{name}` first reading `paused` (polled every ms). ")
                .append("Leak: milliseconds of the tone the caller starts right after the trigger that reached the recording ")
                .append("(Goertzel, 10 ms windows). The reference is a minimal ARI app in the benchmark (raw WebSocket and HTTP, ")
                .append("no ari4java, no database, no consent dialogue) run on the same calls in the same run.\n\n");
        md.append("| situation | trigger | subject | n | p50 ms | p99 ms | max ms | leak max ms | errors |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (var situation : samples.entrySet()) {
            for (String trigger : List.of("user event", "dtmf", "dtmf (SIP)")) {
                for (var subject : situation.getValue().entrySet()) {
                    Stats st = Stats.of(subject.getValue(), trigger);
                    if (st.n == 0) {
                        continue;
                    }
                    md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %.1f | %.1f | %.1f | %s | %d |%n",
                            situation.getKey(), trigger, subject.getKey(), st.n, st.p50, st.p99, st.max,
                            st.leakMax < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", st.leakMax), st.errors));
                }
            }
        }
        md.append("\n## Ratio product / reference (p99, same run)\n\n| situation | trigger | ratio |\n|---|---|---:|\n");
        for (var situation : samples.entrySet()) {
            List<CallScript.Sample> ref = situation.getValue().get("reference");
            List<CallScript.Sample> prod = situation.getValue().get("product");
            if (ref == null || prod == null) {
                continue;
            }
            for (String trigger : List.of("user event", "dtmf", "dtmf (SIP)")) {
                Stats r = Stats.of(ref, trigger);
                Stats p = Stats.of(prod, trigger);
                if (r.n > 0 && p.n > 0) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %.2f |%n", situation.getKey(), trigger, p.p99 / r.p99));
                }
            }
        }
        List<String> errors = new ArrayList<>();
        samples.forEach((sit, bySubject) -> bySubject.forEach((subj, s) -> s.stream().filter(x -> x.error() != null)
                .forEach(x -> errors.add(sit + " / " + subj + " / " + x.trigger() + ": " + x.error()))));
        if (!errors.isEmpty()) {
            md.append("\n## Errors\n\n");
            errors.forEach(e -> md.append("- ").append(e).append('\n'));
        }
        Path file = dir.resolve("asterisk-" + date + (options.label.isBlank() ? "" : "-" + options.label) + ".md");
        AsteriskBenchmark.writeString(file, md.toString());
        return file;
    }
}
