package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Trigger-to-paused on a real Asterisk, for the product and for a minimal reference app in the same
 * run (issue 14). Needs an Asterisk with the lab configuration (../shared/asterisk/README.md) and
 * the consent prompts installed in its sounds directory; exits non-zero, saying why, when no ARI
 * answers.
 *
 * <pre>mvn -B -Pbench-asterisk test-compile exec:exec [-Dbench.args="--calls 20,60"]</pre>
 *
 * <p>The figure is the time from the trigger (the {@code POST /events/user/PaymentStart} returning,
 * or the caller's digit reaching the callee's channel as an ARI event) to {@code GET
 * /recordings/live/{name}} first reading {@code paused}, polled every millisecond. Right after the
 * trigger the caller plays a tone ("card digits") until after the pause; the tone's length found
 * in the finished recording by a Goertzel filter is the audio that leaked.
 */
public final class AsteriskBenchmark {

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        RawAri probe = new RawAri(o.ari, o.user, o.password);
        RawAri.Response info;
        try {
            info = probe.call("GET", "/asterisk/info", Map.of());
        } catch (RuntimeException e) {
            System.err.println("bench-asterisk: no ARI answers at " + o.ari + " (" + e.getCause() + "). Build and start the lab"
                    + " Asterisk first: ../shared/asterisk/README.md");
            System.exit(2);
            return;
        }
        if (!info.ok()) {
            System.err.println("bench-asterisk: ARI at " + o.ari + " answered HTTP " + info.status() + " to GET /asterisk/info"
                    + " (user " + o.user + "); check ari.conf");
            System.exit(2);
            return;
        }
        // a product left running by an interrupted run would share the application; a build from before
        // ApplicationReplaced was handled kept sweeping and hung up this run's snoops once a minute (run 3)
        List<String> strays = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().map(c -> c.contains("org.consentrecorder.app.Main")).orElse(false))
                .map(p -> String.valueOf(p.pid())).toList();
        if (!strays.isEmpty()) {
            System.err.println("bench-asterisk: another consent-recorder process is running (pid " + String.join(", ", strays)
                    + "); it would share the Stasis application with this run. Stop it first.");
            System.exit(2);
            return;
        }
        String version = info.body().path("system").path("version").asText();
        String scheduling = MachineProfile.schedulingOf(MachineProfile.asteriskPid());
        System.out.println("bench-asterisk: Asterisk's threads: " + scheduling);
        if (!scheduling.startsWith("SCHED_RR")) {
            // the shipped set-up runs Asterisk at SCHED_RR 10 (docs/asterisk-integration.md); without it the figures
            // measure how long Asterisk's threads queue behind the app and its database (runs 9-12)
            System.out.println("bench-asterisk: note: Asterisk is not at real-time priority; the shipped set-up is "
                    + "(highpriority = yes in asterisk.conf, or chrt -r 10)");
        }
        Results results = new Results(version, scheduling, o);
        InstrumentPriority.use(o.instrumentRt);
        String instrument = InstrumentPriority.check();
        System.out.println("bench-asterisk: the benchmark's instrument: " + instrument);
        results.instrument(instrument);

        Path sipWork = Path.of(System.getProperty("java.io.tmpdir"), "cr-bench-sipp-" + ProcessHandle.current().pid());
        // removed however the run ends: a subject that fails to start, an exception or SIGTERM left it behind before
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                deleteTree(sipWork);
            } catch (IOException e) {
                System.err.println("bench-asterisk: could not remove " + sipWork + ": " + e);
            }
        }, "bench-sipp-cleanup"));
        SipCaller sip = SipCaller.find(sipWork);
        Subject reference = new ReferenceSubject(o);
        Subject product = new ProductSubject(o);
        List<Subject> subjects = new ArrayList<>(List.of(reference));
        if (o.freshReferenceStarts > 0 && o.subjects.contains("reference")) {
            subjects.add(new ReferenceSubject(o, ReferenceMode.PROCESS, ReferenceSubject.OWN_JVM));
        }
        if (o.secondReference != null) {
            subjects.add(new ReferenceSubject(o, o.secondReference, ReferenceSubject.secondName(o.secondReference)));
        }
        subjects.add(product);
        int ariPort = o.ari.getPort() > 0 ? o.ari.getPort() : 80;
        LoopbackCapture capture = o.wire
                ? LoopbackCapture.start(ariPort, Path.of("target", "bench-asterisk", "wire-" + ProcessHandle.current().pid() + ".pcap"))
                : null;
        for (Subject s : subjects) {
            boolean freshOnly = s.name().equals(ReferenceSubject.OWN_JVM);
            boolean second = o.secondReference != null && s.name().equals(ReferenceSubject.secondName(o.secondReference));
            if (!freshOnly && !second && !o.subjects.contains(s.name())) {
                continue;
            }
            System.out.println("bench-asterisk: " + s.name());
            s.start();
            try (CallerSimulator callers = new CallerSimulator(new RawAri(o.ari, o.user, o.password, true), "consent-recorder")) {
                callers.start();
                CallScript script = new CallScript(callers, s, o);
                Situations at = new Situations(results, s);
                // each cold sample is the first call after a start of its own: one start says little (runs 1-6 of
                // 2026-11-27 had single cold samples from 3.5 to 42 ms, for both subjects)
                for (int i = 0; i < (freshOnly ? o.freshReferenceStarts : o.coldStarts); i++) {
                    if (i > 0) {
                        s.restart();
                    }
                    at.measure("first call after start (cold)", () -> script.run("cold", 1, 0));
                    if (o.nextCalls > 0) {
                        at.measure(nextCallsSituation(o.nextCalls), () -> script.run("next", o.nextCalls, 0));
                    }
                }
                if (freshOnly) {
                    // beside the first calls only: past them, a minimal app in a fresh JVM runs interpreted for most of a
                    // run (run 27), a yardstick too easy for the warm situations
                    continue;
                }
                at.measure("one call at a time, warm", () -> script.run("warm", o.warmCalls, 0));
                if (sip != null && o.sipCalls > 0) {
                    at.measure("real SIP call (SIPp, RFC 4733 digits), one at a time", () -> script.sipCalls(sip, o.sipCalls));
                }
                for (int n : o.concurrency) {
                    for (int round = 0; round < o.rounds; round++) {
                        at.measure(n + " concurrent calls", () -> script.run("c" + n, n, o.rampMs));
                    }
                }
                if (s.canRestart()) {
                    for (int i = 0; i < o.restarts; i++) {
                        at.measure("first pause after a crash, restart and take-over", script::afterRestart);
                    }
                }
            } finally {
                s.stop();
                if (s instanceof ProductSubject p) {
                    p.profiles().forEach(results::addProfile);
                }
            }
        }
        if (capture != null) {
            capture.close();
            System.out.println("bench-asterisk: reading the wire capture " + capture.file());
            results.witness(WireTimeline.read(capture.file(), ariPort), capture.summary());
        } else {
            results.witness(null, o.wire ? "none (tcpdump unavailable, see the run's output)" : "none (--wire no)");
        }
        Path file = results.write(o.out, LocalDate.now());
        System.out.println("bench-asterisk: results in " + file);
        System.exit(results.failures() == 0 ? 0 : 1);
    }

    /** Command-line options, with the lab configuration's defaults. */
    static final class Options {
        URI ari = URI.create("http://127.0.0.1:8088");
        String user = "ari";
        String password = "ari-secret";
        String continueTarget = "after-consent";
        int warmCalls = 5;
        int[] concurrency = {20, 60};
        int rampMs = 5000;
        int sipCalls = 5;
        /** Starts of each subject whose first call is measured as "cold" (the subject is restarted between). */
        int coldStarts = 5;
        /** Rounds of each concurrency, for more samples in the tail. */
        int rounds = 1;
        /** SIGKILLs of the product, each followed by a restart, a take-over and one measured pause. */
        int restarts = 3;
        /** Record the product with JFR and add a digest of the concurrent situations to the results. */
        boolean jfr;
        /**
         * An experiment, not a setting the product ships: run the product's PostgreSQL and the product's JIT compiler
         * threads at this nice level (0: untouched), to see how much of the tail is their CPU on Asterisk's cores.
         */
        int niceBackground;
        /**
         * An experiment, off by default: SCHED_RR priority of the benchmark's phones and poller (InstrumentPriority),
         * below Asterisk's 10. Runs 17 and 18 used 5; the product's 60-call tail stayed in C (the poll after
         * Asterisk's answer), so it is not the instrument's queueing alone, and the default stays as runs 1-16 had it.
         */
        int instrumentRt = 0;
        /**
         * Capture ARI's port on the loopback with tcpdump and report every pause on the wire beside the poll
         * (WireTimeline); --wire no runs without it.
         */
        boolean wire = true;
        /**
         * Start the product with the JVM options it ships with (deploy/jvm.options); --shipped-jvm no starts it
         * with the JVM's defaults instead (G1, the JIT at normal priority), for a comparison.
         */
        boolean shippedJvm = true;
        /** Extra JVM options for the product's process, e.g. a JFR recording. */
        List<String> productJvm = List.of();
        /**
         * Where the reference app runs (--reference in-jvm, process or warm-process); see {@link ReferenceMode}. In-JVM
         * is the default and the stricter yardstick; warm-process keeps the benchmark's own threads out of its JVM.
         */
        ReferenceMode reference = ReferenceMode.IN_JVM;
        /**
         * A second reference measured in every situation beside the first (--second-reference in-jvm, process or
         * warm-process), with a goal table of its own: how much the yardstick's choice moves the ratios, in one run.
         * Null when not asked for, or when it is the first reference's mode.
         */
        ReferenceMode secondReference;
        /** Extra JVM options for the reference app's own process. */
        List<String> referenceJvm = List.of();
        /**
         * Starts of a second reference, in a JVM of its own, whose first calls are measured beside the others ("first
         * call after start" only): what a fresh JVM costs a minimal app, in the same run. -1: as many as --cold; 0: none.
         */
        int freshReferenceStarts = -1;
        /**
         * Calls measured after each start's first, one at a time, as a situation of their own: a fresh process is
         * still compiling what its first call ran (runs 26-29: the product's slowest "warm" pause was the call right
         * after the last start's), so "warm" begins after them and they are reported, not left out.
         */
        int nextCalls = 2;
        /** Appended to the results file's name (asterisk-<date>-<label>.md), so runs of one day do not overwrite each other. */
        String label = "";
        /** Which subjects run; both unless narrowed for a diagnosis (ratios need both). */
        List<String> subjects = List.of("reference", "product");
        Path out = Path.of("bench/results");
        String command = "mvn -B -Pbench-asterisk test-compile exec:exec";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--ari" -> o.ari = URI.create(args[++i]);
                    case "--user" -> o.user = args[++i];
                    case "--password" -> o.password = args[++i];
                    case "--warm" -> o.warmCalls = Integer.parseInt(args[++i]);
                    case "--calls" -> o.concurrency = java.util.Arrays.stream(args[++i].split(","))
                            .filter(s -> !s.isBlank()).mapToInt(Integer::parseInt).toArray();
                    case "--ramp-ms" -> o.rampMs = Integer.parseInt(args[++i]);
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--sip" -> o.sipCalls = Integer.parseInt(args[++i]);
                    case "--cold" -> o.coldStarts = Math.max(1, Integer.parseInt(args[++i]));
                    case "--rounds" -> o.rounds = Math.max(1, Integer.parseInt(args[++i]));
                    case "--restarts" -> o.restarts = Integer.parseInt(args[++i]);
                    case "--jfr" -> o.jfr = true;
                    case "--nice-background" -> o.niceBackground = Integer.parseInt(args[++i]);
                    case "--instrument-rt" -> o.instrumentRt = Integer.parseInt(args[++i]);
                    case "--product-jvm" -> {
                        List<String> jvm = new ArrayList<>(o.productJvm);
                        jvm.add(args[++i]);
                        o.productJvm = List.copyOf(jvm);
                    }
                    case "--reference" -> o.reference = ReferenceMode.of(args[++i]);
                    case "--second-reference" -> o.secondReference = ReferenceMode.of(args[++i]);
                    case "--reference-jvm" -> {
                        List<String> jvm = new ArrayList<>(o.referenceJvm);
                        jvm.add(args[++i]);
                        o.referenceJvm = List.copyOf(jvm);
                    }
                    case "--next" -> o.nextCalls = Math.max(0, Integer.parseInt(args[++i]));
                    case "--fresh-reference" -> o.freshReferenceStarts = Math.max(0, Integer.parseInt(args[++i]));
                    case "--wire" -> o.wire = yesNo("--wire", args[++i]);
                    case "--shipped-jvm" -> o.shippedJvm = yesNo("--shipped-jvm", args[++i]);
                    case "--label" -> o.label = args[++i];
                    case "--subjects" -> o.subjects = List.of(args[++i].split(","));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            java.util.List<String> shown = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--out") || args[i].equals("--password")) {
                    i++;
                } else {
                    shown.add(args[i]);
                }
            }
            if (o.secondReference == o.reference) {
                // the same yardstick twice would measure nothing new
                o.secondReference = null;
            }
            if (o.freshReferenceStarts < 0) {
                o.freshReferenceStarts = o.reference == ReferenceMode.IN_JVM ? o.coldStarts : 0;
            }
            if (!shown.isEmpty()) {
                o.command = o.command + " -Dbench.args=\"" + String.join(" ", shown) + "\"";
            }
            return o;
        }

        private static boolean yesNo(String option, String value) {
            return switch (value) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new IllegalArgumentException(option + " takes yes or no, not " + value);
            };
        }
    }

    /** Where the reference app runs. */
    enum ReferenceMode {
        /**
         * Inside the benchmark's JVM: its code is compiled by the benchmark's own callers, so it is warm even on its
         * "first call after a start"; but it shares its JVM with the benchmark's phones and poll (2026-11-28: with the
         * poll on a blocking connection of its own it got slower on the wire than beside the old poll).
         */
        IN_JVM("in-jvm"),
        /**
         * A JVM of its own on the JVM's defaults, started afresh for each cold start: what a fresh JVM costs a minimal
         * app (run 27: it then runs interpreted for most of a run, a yardstick too easy for the warm situations).
         */
        PROCESS("process"),
        /**
         * A JVM of its own with the product's JVM options, started afresh for each cold start, that warms itself
         * before it serves as the product does (ReferenceWarmup): two fresh processes that both warmed up, and
         * nothing of the benchmark in either JVM.
         */
        WARM_PROCESS("warm-process");

        final String option;

        ReferenceMode(String option) {
            this.option = option;
        }

        static ReferenceMode of(String option) {
            for (ReferenceMode m : values()) {
                if (m.option.equals(option)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("a reference runs in-jvm, process or warm-process, not " + option);
        }
    }

    /** The name of the situation of the calls right after each start's first (Options.nextCalls). */
    static String nextCallsSituation(int n) {
        return n == 1 ? "second call after start" : "calls 2-" + (n + 1) + " after start, one at a time";
    }

    /** Runs one situation's calls for a subject, with what the machine did meanwhile beside its samples. */
    static final class Situations {
        private final Results results;
        private final Subject subject;

        Situations(Results results, Subject subject) {
            this.results = results;
            this.subject = subject;
        }

        void measure(String situation, java.util.concurrent.Callable<List<CallScript.Sample>> calls) throws Exception {
            Map<String, Long> pids = new java.util.LinkedHashMap<>();
            pids.put("asterisk", MachineProfile.asteriskPid());
            subject.pid().ifPresent(pid -> pids.put("subject", pid));
            long database = MachineProfile.databasePid();
            if (database > 0) {
                pids.put("database", database);
            }
            pids.put("benchmark", ProcessHandle.current().pid());
            java.time.Instant from = java.time.Instant.now();
            List<CallScript.Sample> samples;
            MachineProfile.Delta during;
            try (MachineProfile.Watch watch = new MachineProfile.Watch(pids)) {
                samples = calls.call();
                // the subject may have been restarted during the situation (take-over): its new pid has no delta
                subject.pid().ifPresent(pid -> pids.put("subject", pid));
                during = watch.stop(pids);
            }
            java.time.Instant to = java.time.Instant.now();
            subject.situation(situation, from, to, samples);
            results.add(subject.name(), situation, samples, during);
        }
    }

    /** What is being measured: the product or the reference app. */
    interface Subject {
        String name();

        void start() throws Exception;

        /** Kills the subject with SIGKILL and starts it again on the same state; only the product can. */
        default boolean canRestart() {
            return false;
        }

        default void crashAndRestart() throws Exception {
            throw new UnsupportedOperationException(name() + " cannot restart");
        }

        /** Press the consent key when the product asks; the reference records without asking. */
        boolean asksForConsent();

        /** The finished recording's audio (WAV), fetched the way this subject keeps it. */
        byte[] recordingAudio(String recordingName) throws Exception;

        /** The recording's pauses as the subject stamped them (handled the trigger, had Asterisk's answer). */
        List<CallScript.PauseStamps> pauseStamps(String recordingName) throws Exception;

        /** Stops the subject cleanly and starts it again on the same state, for one more cold start. */
        void restart() throws Exception;

        /** The subject's own process, when it has one (not the reference run with --reference in-jvm). */
        default java.util.OptionalLong pid() {
            return java.util.OptionalLong.empty();
        }

        /** Marks a situation, its span and its samples, in the subject's own profile, if it keeps one. */
        default void situation(String name, java.time.Instant from, java.time.Instant to, List<CallScript.Sample> samples) {
        }

        void stop() throws Exception;
    }

    static <T> List<T> all(ExecutorService pool, List<java.util.concurrent.Callable<T>> tasks) throws Exception {
        List<T> out = new ArrayList<>();
        for (Future<T> f : pool.invokeAll(tasks, 10, TimeUnit.MINUTES)) {
            out.add(f.get());
        }
        return out;
    }

    /** The callers' own threads: each plays a phone and polls its recording, at the instrument's priority. */
    static ExecutorService threads(int n) {
        return InstrumentPriority.prestarted(Math.max(1, n), "instrument-caller");
    }

    /** The SIPp scenario, its pcaps and logs: nothing of the run stays in the temp directory. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void writeString(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
