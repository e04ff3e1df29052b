package org.consentrecorder.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters of one load run, from {@code --name=value} arguments. Durations are written like the
 * application's ({@code 300ms}, {@code 2s}). Time is compressed against a real contact centre
 * (prompts of a few hundred ms instead of seconds, calls of seconds instead of minutes) so a run
 * is quick; that makes the load per second higher, not lower.
 */
record LoadOptions(
        int calls,
        double rate,
        int warmupCalls,
        int segments,
        Duration prompt,
        Duration think,
        Duration payment,
        Duration dtmfGap,
        String trigger,
        String pauseStyle,
        boolean fork,
        List<String> appJvmArgs,
        boolean jfr,
        String dbUrl,
        String dbSyncCommit,
        Map<String, String> appEnv,
        Path out,
        Path notes,
        boolean write,
        long seed) {

    static final String USAGE = """
            Load benchmark: the real application against the ARI double (real HTTP and WebSocket) and PostgreSQL.
              --calls=500          concurrent calls at the plateau (every call runs the whole flow)
              --rate=50            new calls per second during the ramp (and hang-ups per second after it)
              --warmup=200         calls run first and not measured (JIT warm-up; 0 for none)
              --segments=2         payment pauses per call (the first during the ramp, the others while calls end)
              --prompt=300ms       length of each prompt (notice, choice); realistic would be seconds
              --think=200ms        caller's time to press 1 after the choice prompt
              --payment=1s         length of each payment pause
              --dtmf-gap=100ms     time between '*' and the digit of a DTMF trigger
              --trigger=mixed      mixed (alternating), userevent (PaymentStart/End) or dtmf (*7/*8)
              --pause-style=skip     skip (ARI pause, the default) or silence (ARI mute)
              --app=fork           fork: the application in its own JVM; inline: in this JVM (smoke test)
              --app-jvm="-Xms512m -Xmx512m"   JVM options of the forked application
              --jfr=true           profile the forked application with JFR (target/bench/*.jfr, summarized in the results)
              --db=                PostgreSQL URL (postgresql://user:pw@host:port/db); empty: a fresh test database
              --db-sync-commit=on  synchronous_commit of the benchmark's database (the embedded test server
                                   defaults to off; production commits to disk); empty: leave as configured
              --app-env=K=V,K=V    extra CR_* settings for the application (e.g. CR_DB_POOL_SIZE=20)
              --out=bench/results  where load-<date>.md/.csv go
              --notes=bench/results/load-notes.md   markdown added to "What limits trigger-to-pause", if the file exists
              --write=true         write the results files
              --seed=42            random seed of the schedule
            """;

    static LoadOptions defaults() {
        return parse(new String[0]);
    }

    static LoadOptions parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
            }
            int eq = arg.indexOf('=');
            a.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        LoadOptions o = new LoadOptions(
                Integer.parseInt(take(a, "calls", "500")),
                Double.parseDouble(take(a, "rate", "50")),
                Integer.parseInt(take(a, "warmup", "200")),
                Integer.parseInt(take(a, "segments", "2")),
                duration(take(a, "prompt", "300ms")),
                duration(take(a, "think", "200ms")),
                duration(take(a, "payment", "1s")),
                duration(take(a, "dtmf-gap", "100ms")),
                oneOf(take(a, "trigger", "mixed"), "mixed", "userevent", "dtmf"),
                oneOf(take(a, "pause-style", "skip"), "silence", "skip"),
                oneOf(take(a, "app", "fork"), "fork", "inline").equals("fork"),
                words(take(a, "app-jvm", "-Xms512m -Xmx512m")),
                Boolean.parseBoolean(take(a, "jfr", "true")),
                take(a, "db", ""),
                take(a, "db-sync-commit", "on"),
                pairs(take(a, "app-env", "")),
                Path.of(take(a, "out", "bench/results")),
                notesPath(take(a, "notes", "bench/results/load-notes.md")),
                Boolean.parseBoolean(take(a, "write", "true")),
                Long.parseLong(take(a, "seed", "42")));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + a.keySet() + "\n" + USAGE);
        }
        if (o.calls < 1 || o.rate <= 0 || o.segments < 1 || o.warmupCalls < 0) {
            throw new IllegalArgumentException("calls >= 1, rate > 0, segments >= 1, warmup >= 0\n" + USAGE);
        }
        return o;
    }

    LoadOptions withCalls(int n, double perSecond, int warmup) {
        return new LoadOptions(n, perSecond, warmup, segments, prompt, think, payment, dtmfGap, trigger, pauseStyle,
                fork, appJvmArgs, jfr, dbUrl, dbSyncCommit, appEnv, out, notes, write, seed);
    }

    /** The arguments that reproduce this run. */
    String commandLine() {
        return "--calls=" + calls + " --rate=" + fmt(rate) + " --warmup=" + warmupCalls + " --segments=" + segments
                + " --prompt=" + prompt.toMillis() + "ms --think=" + think.toMillis() + "ms --payment="
                + payment.toMillis() + "ms --trigger=" + trigger + " --pause-style=" + pauseStyle
                + " --app=" + (fork ? "fork" : "inline") + (fork ? " --app-jvm=\"" + String.join(" ", appJvmArgs) + "\"" : "")
                + (jfr ? "" : " --jfr=false") + (dbSyncCommit.equals("on") ? "" : " --db-sync-commit=" + dbSyncCommit)
                + (appEnv.isEmpty() ? "" : " --app-env=" + joinPairs(appEnv))
                + " --seed=" + seed;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static Path notesPath(String s) {
        return s.isBlank() ? null : Path.of(s);
    }

    private static String take(Map<String, String> a, String key, String def) {
        String v = a.remove(key);
        return v == null ? def : v;
    }

    private static String oneOf(String v, String... allowed) {
        if (!Arrays.asList(allowed).contains(v)) {
            throw new IllegalArgumentException("'" + v + "' is not one of " + Arrays.toString(allowed));
        }
        return v;
    }

    static Duration duration(String s) {
        s = s.trim();
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        }
        return Duration.ofMillis(Long.parseLong(s));
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static Map<String, String> pairs(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : s.split(",")) {
            if (p.isBlank()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("--app-env wants KEY=VALUE pairs, got " + p);
            }
            out.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return out;
    }

    private static String joinPairs(Map<String, String> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }
}
