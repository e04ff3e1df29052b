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
    /** The trigger kinds of CallScript's samples, in the order every table lists them. */
    private static final List<String> TRIGGERS = List.of("user event", "dtmf", "dtmf (SIP)");
    private final String asteriskVersion;
    private final String asteriskScheduling;
    private String instrument = "normal priority";
    private final AsteriskBenchmark.Options options;
    private final String loadAtStart = loadAverage();
    /** situation → subject → samples, in the order they were measured. */
    private final Map<String, Map<String, List<CallScript.Sample>>> samples = new LinkedHashMap<>();
    /** situation → subject → what the machine did while it ran (one delta per measured round). */
    private final Map<String, Map<String, List<MachineProfile.Delta>>> machine = new LinkedHashMap<>();
    private final List<String> profiles = new ArrayList<>();
    /** What the loopback capture said of itself, or why there was none; null until {@link #witness}. */
    private String wireAccount;

    Results(String asteriskVersion, AsteriskBenchmark.Options options) {
        this(asteriskVersion, "unknown", options);
    }

    /** asteriskScheduling: how the kernel scheduled Asterisk's threads at the start (see MachineProfile.schedulingOf). */
    Results(String asteriskVersion, String asteriskScheduling, AsteriskBenchmark.Options options) {
        this.asteriskVersion = asteriskVersion;
        this.asteriskScheduling = asteriskScheduling;
        this.options = options;
    }

    /** How the benchmark's phones and poller were scheduled (InstrumentPriority.check). */
    void instrument(String description) {
        this.instrument = description;
    }

    void add(String subject, String situation, List<CallScript.Sample> s, MachineProfile.Delta during) {
        machine.computeIfAbsent(situation, k -> new LinkedHashMap<>()).computeIfAbsent(subject, k -> new ArrayList<>()).add(during);
        add(subject, situation, s);
    }

    /** A subject's own profile of the run (JFR), as Markdown. */
    void addProfile(String markdown) {
        profiles.add(markdown);
    }

    void add(String subject, String situation, List<CallScript.Sample> s) {
        samples.computeIfAbsent(situation, k -> new LinkedHashMap<>()).computeIfAbsent(subject, k -> new ArrayList<>()).addAll(s);
        Stats st = Stats.of(s, null);
        System.out.printf(Locale.ROOT, "  %-45s %-10s n=%d p50=%.1f p99=%.1f max=%.1f ms, leak max %.0f ms, errors %d%n",
                situation, subject, st.n, st.p50, st.p99, st.max, st.leakMax, st.errors);
        s.stream().filter(x -> x.error() != null).map(CallScript.Sample::error).distinct()
                .forEach(e -> System.out.println("    error: " + e));
    }

    /**
     * Every sample with its pause as the loopback saw it (WireTimeline), where the capture holds it. account: the
     * capture's own counts, or why there was no capture.
     */
    void witness(WireTimeline wire, String account) {
        this.wireAccount = account;
        if (wire == null) {
            return;
        }
        samples.values().forEach(bySubject -> bySubject.replaceAll((subject, list) -> list.stream()
                .map(x -> x.latencyMs() < 0 ? x : wire.pause(x.trigger(), x.call(), x.recording(), x.triggeredAt())
                        .map(x::withWire).orElse(x))
                .toList()));
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

        static double pct(double[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }
    }

    /** The product's JVM options as this run started it: the shipped file's flags or the JVM's defaults, then the rest. */
    String productJvm() {
        List<String> flags = new ArrayList<>();
        if (options.shippedJvm) {
            try {
                java.nio.file.Files.readAllLines(Path.of("deploy", "jvm.options")).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(flags::add);
            } catch (IOException e) {
                flags.add("(deploy/jvm.options unreadable: " + e.getMessage() + ")");
            }
        }
        String shipped = options.shippedJvm ? "as shipped, deploy/jvm.options (`" + String.join(" ", flags) + "`)"
                : "the JVM's defaults (`--shipped-jvm no`: G1 and HotSpot's compile thresholds)";
        String extra = options.productJvm.isEmpty() ? "" : ", then `" + String.join(" ", options.productJvm) + "`";
        return shipped + ", with the benchmark's fixed heap `-Xms512m -Xmx512m`" + extra;
    }

    /** Where the reference app ran, and with which JVM options. */
    String referenceJvm() {
        return referenceJvm(options.reference);
    }

    private String referenceJvm(AsteriskBenchmark.ReferenceMode mode) {
        String extra = options.referenceJvm.isEmpty() ? "" : ", then `" + String.join(" ", options.referenceJvm) + "`";
        return switch (mode) {
            case IN_JVM -> "inside the benchmark's JVM (the default, `--reference in-jvm`): its code is compiled by the "
                    + "benchmark's own callers, so even its first call after a start runs warm code";
            case PROCESS -> "a JVM of its own (`--reference process`), started afresh for each cold start as the product is: "
                    + "the JVM's defaults with the product's fixed heap `-Xms512m -Xmx512m`" + extra;
            case WARM_PROCESS -> "a JVM of its own (`--reference warm-process`), started afresh for each cold start as the "
                    + "product is, with the product's JVM options and fixed heap (" + productJvmFlags() + ")" + extra
                    + ", warming itself before it is ready as the product does (ReferenceWarmup: "
                    + ReferenceWarmup.ROUNDS + " rounds of its pause path's frames, with real pause and resume requests "
                    + "for a missing recording, and its own user events over its WebSocket; then the compilers' quiet)";
        };
    }

    private String productJvmFlags() {
        return options.shippedJvm ? "deploy/jvm.options" : "the JVM's defaults, `--shipped-jvm no`";
    }

    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** Where each subject's time went, from its own stamps (see CallScript.Steps). */
    private void steps(StringBuilder md) {
        md.append("\n## Where the time went\n\n")
                .append("Each pause split at the subject's own stamps (wall clock, one machine): **A** the trigger until the ")
                .append("subject acted on it (Asterisk raising the event, the WebSocket, decoding, dispatch), **B** its pause ")
                .append("request until Asterisk's answer reached it (Asterisk's HTTP server, and the subject's event loop getting ")
                .append("to the answer), **C** that answer until the benchmark's poll read `paused` (the poll's period and ")
                .append("request). The product stamps A's end and B's end in its pause timeline (`requested_at`, ")
                .append("`accepted_at`); the reference app stamps the same two moments in memory. p50 / p99 of each part, ")
                .append("and the split of the slowest pause.\n\n");
        md.append("| situation | trigger | subject | n | A ms | B ms | C ms | slowest: A + B + C ms |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---|\n");
        eachCell((situation, trigger, subject, ofTrigger) -> {
            List<CallScript.Sample> s = ofTrigger.stream().filter(x -> x.steps() != null).toList();
            if (s.isEmpty()) {
                return;
            }
            CallScript.Sample slowest = s.stream().max(java.util.Comparator.comparingDouble(CallScript.Sample::latencyMs)).get();
            CallScript.Steps w = slowest.steps();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s | %.1f + %.1f + %.1f = %.1f |%n",
                    situation, trigger, subject, s.size(),
                    pair(s, CallScript.Steps::toHandledMs), pair(s, CallScript.Steps::toAnsweredMs),
                    pair(s, CallScript.Steps::toSeenMs), w.toHandledMs(), w.toAnsweredMs(), w.toSeenMs(),
                    slowest.latencyMs()));
        });
    }

    /** One row of a per-cell table: a situation, a trigger, a subject and its samples of that trigger (never none). */
    private interface Cell {
        void row(String situation, String trigger, String subject, List<CallScript.Sample> ofTrigger);
    }

    /** Every situation, trigger and subject that has samples of the trigger, in the order the tables list them. */
    private void eachCell(Cell cell) {
        for (var situation : samples.entrySet()) {
            for (String trigger : TRIGGERS) {
                for (var subject : situation.getValue().entrySet()) {
                    List<CallScript.Sample> ofTrigger = subject.getValue().stream().filter(x -> x.trigger().equals(trigger)).toList();
                    if (!ofTrigger.isEmpty()) {
                        cell.row(situation.getKey(), trigger, subject.getKey(), ofTrigger);
                    }
                }
            }
        }
    }

    private static String pair(List<CallScript.Sample> s, java.util.function.ToDoubleFunction<CallScript.Steps> part) {
        double[] v = s.stream().mapToDouble(x -> part.applyAsDouble(x.steps())).sorted().toArray();
        return String.format(Locale.ROOT, "%.1f / %.1f", Stats.pct(v, 0.50), Stats.pct(v, 0.99));
    }

    /**
     * The same pauses on the wire (WireTimeline): from the trigger leaving Asterisk to Asterisk's answer to the
     * subject's pause leaving it, kernel-stamped, so that neither JVM's queueing is in the figure; and the goal's
     * two tests on both figures.
     */
    private void wire(StringBuilder md) {
        if (wireAccount == null) {
            return;
        }
        md.append("\n## On the wire\n\n");
        md.append("A loopback capture of ARI's port (tcpdump, kernel timestamps) beside the poll: **wire** is the trigger ")
                .append("leaving Asterisk (its answer to `POST /events/user/PaymentStart`, or its first `ChannelDtmfReceived` ")
                .append("frame for the `7`) until its answer to the subject's `POST /recordings/live/{name}/pause` left it. ")
                .append("Asterisk marks the recording paused before it answers (res_stasis_recording.c), so this bounds the ")
                .append("pause from above without the benchmark's JVM in it. **subject** is the trigger until the subject's ")
                .append("pause request arrived (its WebSocket, decoding, decision, HTTP client), **Asterisk** that request ")
                .append("until the answer. **poll lag** is the poll's figure minus the wire's: the benchmark's own queueing ")
                .append("(its next poll sent late, its answer read late). Capture: ").append(wireAccount).append(".\n\n");
        boolean any = samples.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream)
                .anyMatch(x -> x.wire() != null);
        if (!any) {
            md.append("No pause was found in the capture.\n");
            return;
        }
        md.append("| situation | trigger | subject | found | wire p50 ms | wire p99 ms | wire max ms | subject p99 ms | Asterisk p99 ms | poll lag p50 / p99 ms |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        eachCell((situation, trigger, subject, all) -> {
            List<CallScript.Sample> seen = all.stream().filter(x -> x.wire() != null).toList();
            if (seen.isEmpty()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | 0 of %d | – | – | – | – | – | – |%n",
                        situation, trigger, subject, all.size()));
                return;
            }
            double[] w = sorted(seen, x -> x.wire().latencyMs());
            double[] lag = sorted(seen, x -> x.latencyMs() - x.wire().latencyMs());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d of %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f / %.1f |%n",
                    situation, trigger, subject, seen.size(), all.size(),
                    Stats.pct(w, 0.50), Stats.pct(w, 0.99), w[w.length - 1],
                    Stats.pct(sorted(seen, x -> x.wire().subjectMs()), 0.99),
                    Stats.pct(sorted(seen, x -> x.wire().asteriskMs()), 0.99),
                    Stats.pct(lag, 0.50), Stats.pct(lag, 0.99)));
        });
        split(md);
        md.append("\n### The goal (p99 ≤ 20 ms and ≤ 1.5 × the reference's, same run), on both figures\n\n");
        md.append("| situation | trigger | poll: product / reference p99 ms | ratio | wire: product / reference p99 ms | ratio |\n");
        md.append("|---|---|---:|---:|---:|---:|\n").append(goalRows("reference"));
        ownJvm(md);
        secondReference(md);
    }

    /** The goal's cells beside the second reference (--second-reference), when the run had one. */
    private void secondReference(StringBuilder md) {
        if (options.secondReference == null) {
            return;
        }
        String name = ReferenceSubject.secondName(options.secondReference);
        String rows = goalRows(name);
        if (rows.isEmpty()) {
            return;
        }
        md.append("\n### Beside the second reference (`--second-reference ").append(options.secondReference.option)
                .append("`)\n\nThe same minimal app run ").append(referenceJvm(options.secondReference))
                .append(", measured in every situation of this run after the first reference (`").append(name)
                .append("` above). Not the goal's yardstick: how much the yardstick's choice moves the ratios.\n\n")
                .append("| situation | trigger | poll: product / second reference p99 ms | ratio | wire: product / second reference p99 ms | ratio |\n")
                .append("|---|---|---:|---:|---:|---:|\n").append(rows);
    }

    /**
     * The subject's part split at its own event frame: whether a slow pause waited on Asterisk (its dispatch of the
     * event to that application) or on the subject (its JVM, and the kernel's scheduling of it).
     */
    private void split(StringBuilder md) {
        md.append("\n### The subject's part, split at its event frame\n\n");
        md.append("**delivery** is the trigger leaving Asterisk until Asterisk sent the subject its own frame of the ")
                .append("event (`ChannelUserevent` or `ChannelDtmfReceived` to the subject's application; slightly negative ")
                .append("when the event went out before the POST's answer): Asterisk's dispatch. **reaction** is that frame ")
                .append("until the subject's pause request arrived: the subject alone, its JVM and the kernel's scheduling of ")
                .append("it, with no other party in between.\n\n");
        md.append("| situation | trigger | subject | split | delivery p50 / p99 ms | reaction p50 / p99 / max ms |\n");
        md.append("|---|---|---|---:|---:|---:|\n");
        eachCell((situation, trigger, subject, ofTrigger) -> {
            List<CallScript.Sample> seen = ofTrigger.stream().filter(x -> x.wire() != null).toList();
            List<CallScript.Sample> split = seen.stream().filter(x -> x.wire().split()).toList();
            if (split.isEmpty()) {
                return;
            }
            double[] d = sorted(split, x -> x.wire().deliveredMs());
            double[] r = sorted(split, x -> x.wire().reactionMs());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d of %d | %.2f / %.2f | %.2f / %.2f / %.2f |%n",
                    situation, trigger, subject, split.size(), seen.size(),
                    Stats.pct(d, 0.50), Stats.pct(d, 0.99), Stats.pct(r, 0.50), Stats.pct(r, 0.99), r[r.length - 1]));
        });
    }

    /**
     * Pauses taken alone, with the run-queue waits of the subject's and Asterisk's threads in each one's window
     * (ThreadWaits): whether the slowest of them had a thread kept from a core, beside the typical pause's.
     */
    private void waits(StringBuilder md) {
        boolean any = samples.values().stream().flatMap(m -> m.values().stream()).flatMap(List::stream)
                .anyMatch(x -> x.waits() != null);
        if (!any) {
            return;
        }
        md.append("\n## Waiting for a core, pauses taken alone\n\n");
        md.append("For each pause taken alone (one call at a time), the run-queue wait of every thread of the subject ")
                .append("and of Asterisk (/proc/PID/task/TID/schedstat: runnable, not on a core) from just before the ")
                .append("trigger (for DTMF, the `*` before the `7`) until the poll read `paused`, and the time each ")
                .append("ran. **waited** names the thread that waited most in that window, **ran** the one that ran ")
                .append("most: a pause whose time went to a thread kept from a core shows it in the first, one whose ")
                .append("thread was busy in the second. The slowest pause is the slowest on the wire (by the poll without ")
                .append("a capture), with its **reaction** (the subject's own part, above) and its window's length.\n\n");
        md.append("| situation | trigger | subject | pauses | subject's longest wait p50 / p99 ms | slowest pause ms (reaction) | ")
                .append("its window ms | its subject: waited ms (thread); ran ms (thread) | its Asterisk: waited ms (thread) |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---|---|\n");
        eachCell((situation, trigger, subject, ofTrigger) -> {
            List<CallScript.Sample> read = ofTrigger.stream().filter(x -> x.waits() != null && x.latencyMs() >= 0).toList();
            if (read.isEmpty()) {
                return;
            }
            List<CallScript.Sample> withSubject = read.stream().filter(x -> x.waits().subject() != null).toList();
            double[] longestWaits = sorted(withSubject, x -> x.waits().subject().ms());
            String typical = withSubject.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f / %.2f",
                    Stats.pct(longestWaits, 0.50), Stats.pct(longestWaits, 0.99));
            CallScript.Sample slowest = read.stream().max(java.util.Comparator.comparingDouble(Results::slowness)).orElseThrow();
            String reaction = slowest.wire() != null && slowest.wire().split()
                    ? String.format(Locale.ROOT, " (%.2f)", slowest.wire().reactionMs()) : "";
            ThreadWaits.Longest sub = slowest.waits().subject();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %.2f%s | %.1f | %s | %s |%n", situation,
                    trigger, subject, read.size(), typical, slowness(slowest), reaction, slowest.waits().windowMs(),
                    sub == null ? "–" : longest(sub) + "; " + String.format(Locale.ROOT, "%.2f (%s)", sub.ranMs(),
                            sub.ranLongest().replace("|", "/")),
                    longest(slowest.waits().asterisk())));
        });
    }

    /** A pause's figure for picking the slowest: on the wire when the capture holds it, else by the poll. */
    private static double slowness(CallScript.Sample s) {
        return s.wire() != null ? s.wire().latencyMs() : s.latencyMs();
    }

    private static String longest(ThreadWaits.Longest l) {
        return l == null ? "–" : String.format(Locale.ROOT, "%.2f (%s)", l.ms(), l.thread().replace("|", "/"));
    }

    /** The goal's cells, poll and wire, of every situation the product and the given reference both ran. */
    private String goalRows(String reference) {
        StringBuilder rows = new StringBuilder();
        for (var situation : samples.entrySet()) {
            List<CallScript.Sample> ref = situation.getValue().get(reference);
            List<CallScript.Sample> prod = situation.getValue().get("product");
            if (ref == null || prod == null) {
                continue;
            }
            for (String trigger : TRIGGERS) {
                Goal poll = Goal.of(ref, prod, trigger, CallScript.Sample::latencyMs);
                Goal onWire = Goal.of(ref, prod, trigger, x -> x.wire() == null ? -1 : x.wire().latencyMs());
                if (poll != null) {
                    rows.append("| ").append(situation.getKey()).append(" | ").append(trigger).append(" | ")
                            .append(poll.cells()).append(" | ").append(onWire == null ? "– | –" : onWire.cells()).append(" |\n");
                }
            }
        }
        return rows.toString();
    }

    /**
     * The first calls beside a reference that, like the product, is a fresh JVM at each start: not the goal (that
     * is judged against the warm reference above), but how much of the first call is a fresh JVM's for any app.
     */
    private void ownJvm(StringBuilder md) {
        String rows = goalRows(ReferenceSubject.OWN_JVM);
        if (rows.isEmpty()) {
            return;
        }
        md.append("\n### Beside a reference that is a fresh JVM at each start too (not the goal's yardstick)\n\n")
                .append("The same minimal app in a JVM of its own on the JVM's defaults, started afresh for each of its first ")
                .append("calls (`").append(ReferenceSubject.OWN_JVM).append("` above), as the product is; the reference ")
                .append("the goal is judged by runs warm inside the benchmark.\n\n")
                .append("| situation | trigger | poll: product / own-JVM reference p99 ms | ratio | wire: product / own-JVM reference p99 ms | ratio |\n")
                .append("|---|---|---:|---:|---:|---:|\n").append(rows);
    }

    /** One situation's p99s against the goal; a cell that misses it is marked. */
    record Goal(double product, double reference) {
        static Goal of(List<CallScript.Sample> ref, List<CallScript.Sample> prod, String trigger,
                       java.util.function.ToDoubleFunction<CallScript.Sample> figure) {
            double[] r = ref.stream().filter(x -> x.trigger().equals(trigger)).mapToDouble(figure).filter(v -> v >= 0).sorted().toArray();
            double[] p = prod.stream().filter(x -> x.trigger().equals(trigger)).mapToDouble(figure).filter(v -> v >= 0).sorted().toArray();
            return r.length == 0 || p.length == 0 ? null : new Goal(Stats.pct(p, 0.99), Stats.pct(r, 0.99));
        }

        boolean met() {
            return product <= 20 && product <= 1.5 * reference;
        }

        String cells() {
            String mark = met() ? "" : " ✗";
            return String.format(Locale.ROOT, "%.1f / %.1f | %.2f%s", product, reference, product / reference, mark);
        }
    }

    private static double[] sorted(List<CallScript.Sample> s, java.util.function.ToDoubleFunction<CallScript.Sample> f) {
        return s.stream().mapToDouble(f).sorted().toArray();
    }

    /** How busy the two cores were, and how long each process's threads waited for one, per situation. */
    private void machine(StringBuilder md) {
        if (machine.isEmpty()) {
            return;
        }
        md.append("\n## What the machine did meanwhile\n\n")
                .append("From /proc, over each situation's whole duration (calls, pauses, fetching the recordings): the ")
                .append("machine's busy share of its cores, and per process its CPU (percent of one core) and the time its ")
                .append("threads were ready to run but waited for a core (run-queue wait, `/proc/PID/task/*/schedstat`, in ")
                .append("ms per second of the situation, summed over the threads). The subject is the product's or the reference's process; ")
                .append("the database is the product's PostgreSQL (embedded, on the same cores) with its backends; the benchmark's ")
                .append("figures include SIPp's, and the reference's when it runs inside the benchmark (`--reference in-jvm`).\n\n");
        md.append("| situation | subject | duration | machine busy | Asterisk CPU / wait | subject CPU / wait | database CPU / wait | benchmark CPU / wait |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (var situation : machine.entrySet()) {
            for (var subject : situation.getValue().entrySet()) {
                md.append("| ").append(situation.getKey()).append(" | ").append(subject.getKey()).append(" | ")
                        .append(merged(subject.getValue()).markdownCells()).append('\n');
            }
        }
    }

    /** Rounds of one situation as one: durations added, rates weighted by duration. */
    private static MachineProfile.Delta merged(List<MachineProfile.Delta> rounds) {
        double seconds = rounds.stream().mapToDouble(MachineProfile.Delta::seconds).sum();
        double busy = rounds.stream().mapToDouble(d -> d.machineBusyPercent() * d.seconds()).sum() / seconds;
        Map<String, double[]> processes = new LinkedHashMap<>();
        Map<String, Double> covered = new LinkedHashMap<>();
        for (MachineProfile.Delta d : rounds) {
            d.processes().forEach((role, v) -> {
                double[] acc = processes.computeIfAbsent(role, k -> new double[2]);
                acc[0] += v[0] * d.seconds();
                acc[1] += v[1] * d.seconds();
                covered.merge(role, d.seconds(), Double::sum);
            });
        }
        processes.forEach((role, acc) -> {
            acc[0] /= covered.get(role);
            acc[1] /= covered.get(role);
        });
        return new MachineProfile.Delta(seconds, busy, processes);
    }

    Path write(Path dir, LocalDate date) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Trigger-to-paused on a real Asterisk (").append(date).append(")\n\n");
        md.append("Command: `").append(options.command).append("`");
        md.append(" (options: warm calls ").append(options.warmCalls).append(", concurrency ")
                .append(java.util.Arrays.toString(options.concurrency)).append(" x ").append(options.rounds)
                .append(" rounds, ramp ").append(options.rampMs).append(" ms, cold starts ").append(options.coldStarts)
                .append(", crash restarts ").append(options.restarts).append(")\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(", Java ").append(System.getProperty("java.version")).append("; Asterisk ").append(asteriskVersion)
                .append(" (lab configuration; Local channels, and SIPp calls through chan_pjsip) on the same machine; benchmark JVM ")
                .append(ManagementFactory.getRuntimeMXBean().getName()).append(".\n\n");
        md.append("Asterisk's threads at the start (policy from /proc; `highpriority = yes` in asterisk.conf gives SCHED_RR 10): ")
                .append(asteriskScheduling).append(". The benchmark's instrument: ").append(instrument).append(".\n\n");
        md.append("The product's JVM: ").append(productJvm()).append(". The reference app's: ").append(referenceJvm())
                .append(".\n\n");
        // the machine is shared: the figures only mean something beside how busy it was
        md.append("Load average (1, 5, 15 min; /proc/loadavg): at the start ").append(loadAtStart)
                .append(", at the end ").append(loadAverage()).append(".\n\n");
        md.append("Figure: from the trigger (`POST /events/user/PaymentStart` returned, or the caller's `7` of `*7` seen as ")
                .append("`ChannelDtmfReceived` on the callee) to `GET /recordings/live/{name}` first reading `paused` (polled every ms by the ")
                .append("calling thread itself, on a blocking keep-alive connection of its own since 2026-11-28; before, through ")
                .append("`java.net.http`, whose selector and executor threads each had to get a core first). ")
                .append("Leak: milliseconds of the tone the caller starts right after the trigger that reached the recording ")
                .append("(Goertzel, 10 ms windows). The reference is a minimal ARI app written in the benchmark (raw WebSocket and HTTP, ")
                .append("no ari4java, no database, no consent dialogue) run on the same calls in the same run.\n\n");
        md.append("| situation | trigger | subject | n | p50 ms | p99 ms | max ms | leak max ms | errors |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (var situation : samples.entrySet()) {
            for (String trigger : TRIGGERS) {
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
            for (String trigger : TRIGGERS) {
                Stats r = Stats.of(ref, trigger);
                Stats p = Stats.of(prod, trigger);
                if (r.n > 0 && p.n > 0) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %.2f |%n", situation.getKey(), trigger, p.p99 / r.p99));
                }
            }
        }
        steps(md);
        wire(md);
        waits(md);
        machine(md);
        profiles.forEach(p -> md.append('\n').append(p));
        List<String> errors = new ArrayList<>();
        samples.forEach((sit, bySubject) -> bySubject.forEach((subj, s) -> s.stream().filter(x -> x.error() != null)
                .forEach(x -> errors.add(sit + " / " + subj + " / " + x.trigger() + ": " + x.error()))));
        if (!errors.isEmpty()) {
            md.append("\n## Errors\n\n");
            errors.forEach(e -> md.append("- ").append(e).append('\n'));
        }
        String stem = "asterisk-" + date + (options.label.isBlank() ? "" : "-" + options.label);
        md.append("\nEvery sample, with its split and the wall-clock instant of its trigger (to find it in a JFR ")
                .append("recording or a log): `").append(stem).append("-samples.csv`.\n");
        Path file = dir.resolve(stem + ".md");
        AsteriskBenchmark.writeString(file, md.toString());
        AsteriskBenchmark.writeString(dir.resolve(stem + "-samples.csv"), csv());
        return file;
    }

    /**
     * One line per sample (RFC 4180: a field with a comma, such as the situation "one call at a time, warm", is
     * quoted); recording names carry call ids only (no caller data).
     */
    String csv() {
        StringBuilder b = new StringBuilder("situation,subject,trigger,triggered_at,recording,latency_ms,a_ms,b_ms,c_ms,leak_ms,error,"
                + "wire_ms,wire_subject_ms,wire_asterisk_ms,wire_delivered_ms,wire_reaction_ms,"
                + "wait_window_ms,wait_subject_ms,wait_subject_thread,wait_subject_total_ms,ran_subject_ms,ran_subject_thread,"
                + "wait_asterisk_ms,wait_asterisk_thread\n");
        samples.forEach((situation, bySubject) -> bySubject.forEach((subject, list) -> {
            for (CallScript.Sample s : list) {
                CallScript.Steps st = s.steps();
                WireTimeline.Wire w = s.wire();
                b.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%.2f,%s,%s,%s,%.0f,%s,%s,%s%n", csvField(situation),
                        csvField(subject), csvField(s.trigger()), s.triggeredAt() == null ? "" : s.triggeredAt(),
                        s.recording() == null ? "" : csvField(s.recording()),
                        s.latencyMs(), st == null ? "" : String.format(Locale.ROOT, "%.2f", st.toHandledMs()),
                        st == null ? "" : String.format(Locale.ROOT, "%.2f", st.toAnsweredMs()),
                        st == null ? "" : String.format(Locale.ROOT, "%.2f", st.toSeenMs()), s.leakMs(),
                        s.error() == null ? "" : csvField(s.error()),
                        w == null ? ",,,," : String.format(Locale.ROOT, "%.2f,%.2f,%.2f,%s", w.latencyMs(), w.subjectMs(),
                                w.asteriskMs(), w.split() ? String.format(Locale.ROOT, "%.2f,%.2f", w.deliveredMs(), w.reactionMs()) : ","),
                        waitsCsv(s.waits())));
            }
        }));
        return b.toString();
    }

    private static String waitsCsv(ThreadWaits.Window w) {
        ThreadWaits.Longest subject = w == null ? null : w.subject();
        ThreadWaits.Longest asterisk = w == null ? null : w.asterisk();
        return (w == null ? "" : String.format(Locale.ROOT, "%.2f", w.windowMs())) + ","
                + (subject == null ? ",,,," : String.format(Locale.ROOT, "%.2f,%s,%.2f,%.2f,%s", subject.ms(), csvField(subject.thread()),
                        subject.totalMs(), subject.ranMs(), csvField(subject.ranLongest())))
                + "," + (asterisk == null ? "," : String.format(Locale.ROOT, "%.2f,%s", asterisk.ms(), csvField(asterisk.thread())));
    }

    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
