package org.consentrecorder.bench.asterisk;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The minimal reference app: by default inside the benchmark's JVM, warm from the benchmark's own
 * callers (the stricter yardstick, see {@link AsteriskBenchmark.ReferenceMode}); with {@code --reference
 * process} or {@code warm-process} in a JVM of its own started afresh for each cold start
 * ({@link ReferenceMain}). Its recordings stay on Asterisk until fetched; the benchmark fetches them itself.
 */
final class ReferenceSubject implements AsteriskBenchmark.Subject {
    static final String APPLICATION = "consent-recorder";
    /** The name of the reference in a JVM of its own when it runs beside the in-JVM one (--fresh-reference). */
    static final String OWN_JVM = "reference (own JVM)";
    private final AsteriskBenchmark.Options o;
    private final AsteriskBenchmark.ReferenceMode mode;
    private final String name;
    /** The benchmark's own client for the recordings' files: not the app's, which may be in another process. */
    private RawAri files;
    /** In-JVM mode: the app itself. */
    private ReferencePauseApp app;
    /** Process mode: the app's JVM, and the pauses it reported. */
    private Process process;
    private final Map<String, List<CallScript.PauseStamps>> stamps = new ConcurrentHashMap<>();
    private Path log;

    /** The reference the goal is judged against, where --reference puts it (inside the benchmark's JVM by default). */
    ReferenceSubject(AsteriskBenchmark.Options o) {
        this(o, o.reference, "reference");
    }

    ReferenceSubject(AsteriskBenchmark.Options o, AsteriskBenchmark.ReferenceMode mode, String name) {
        this.o = o;
        this.mode = mode;
        this.name = name;
    }

    /** The name of a second reference measured beside the goal's (--second-reference). */
    static String secondName(AsteriskBenchmark.ReferenceMode mode) {
        return "reference (" + mode.option + ")";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start() throws Exception {
        if (files == null) {
            files = new RawAri(o.ari, o.user, o.password);
        }
        if (mode == AsteriskBenchmark.ReferenceMode.IN_JVM) {
            app = new ReferencePauseApp(new RawAri(o.ari, o.user, o.password), APPLICATION, o.continueTarget);
            app.start();
        } else {
            launch();
        }
    }

    /**
     * The command that starts the reference's JVM: the JVM's defaults (process), or the product's JVM options and a
     * warm-up before it is ready (warm-process); then the product's fixed heap, then --reference-jvm.
     */
    static List<String> command(AsteriskBenchmark.Options o, AsteriskBenchmark.ReferenceMode mode, String classPath) {
        boolean warm = mode == AsteriskBenchmark.ReferenceMode.WARM_PROCESS;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (warm && o.shippedJvm) {
            cmd.add("@" + ProductSubject.shippedJvmOptions());
        }
        cmd.addAll(List.of("-Xms512m", "-Xmx512m"));
        cmd.addAll(o.referenceJvm.stream().filter(a -> !a.isBlank()).toList());
        cmd.addAll(List.of("-cp", classPath, ReferenceMain.class.getName(), o.ari.toString(), o.user, APPLICATION,
                o.continueTarget));
        if (warm) {
            cmd.add(ReferenceMain.WARM);
        }
        return cmd;
    }

    private void launch() throws Exception {
        if (log == null) {
            log = Path.of("target", "bench-asterisk", "reference-" + ProcessHandle.current().pid() + ".log").toAbsolutePath();
            Files.createDirectories(log.getParent());
        }
        ProcessBuilder pb = new ProcessBuilder(command(o, mode, ProductSubject.classPath())).redirectErrorStream(true);
        pb.environment().put(ReferenceMain.PASSWORD_ENV, o.password);
        Process started = pb.start();
        process = started;
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> read(started, ready), "reference-output-" + started.pid());
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(60, TimeUnit.SECONDS)) {
            started.destroyForcibly();
            throw new IllegalStateException("the reference app did not connect within 60 s; see " + log);
        }
        if (!started.isAlive()) {
            throw new IllegalStateException("the reference app exited with " + started.exitValue() + "; see " + log);
        }
    }

    /** Where the reference's own JVM writes what is not a stamp (null until it was first launched). */
    Path log() {
        return log;
    }

    /** The child's output: its stamps into the map, READY into the latch, every other line into the log. */
    private void read(Process child, CountDownLatch ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true)) {
            out.println("--- reference pid " + child.pid());
            for (String line; (line = in.readLine()) != null; ) {
                if (line.equals(ReferenceMain.READY)) {
                    ready.countDown();
                    continue;
                }
                var stamped = ReferenceMain.parse(line);
                if (stamped.isPresent()) {
                    stamps.computeIfAbsent(stamped.get().recording(), k -> new CopyOnWriteArrayList<>()).add(stamped.get().stamp());
                } else {
                    out.println(line);
                }
            }
        } catch (java.io.IOException e) {
            System.err.println("bench: the reference app's output could not be read: " + e.getMessage());
        } finally {
            // a child that died before it was ready must not keep the benchmark waiting a minute
            ready.countDown();
        }
    }

    @Override
    public boolean asksForConsent() {
        return false;
    }

    @Override
    public byte[] recordingAudio(String name) throws Exception {
        // the stored file exists while Asterisk still writes it, and serving a growing file sends more bytes than its
        // Content-Length said, which breaks the next response on that connection (seen in run 7 with 60 calls): fetch
        // only once the live recording is gone, as the product does on RecordingFinished
        for (int i = 0; i < 100 && files.call("GET", "/recordings/live/" + name, Map.of()).ok(); i++) {
            Thread.sleep(100);
        }
        for (int i = 0; i < 100; i++) {
            RawAri.Response r = files.call("GET", "/recordings/stored/" + name + "/file", Map.of());
            if (r.ok()) {
                files.call("DELETE", "/recordings/stored/" + name, Map.of());
                return r.bytes();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("stored recording " + name + " did not appear");
    }

    @Override
    public List<CallScript.PauseStamps> pauseStamps(String name) {
        if (app != null) {
            return app.pauseStamps(name);
        }
        return List.copyOf(stamps.getOrDefault(name, List.of()));
    }

    /** A fresh JVM (process mode), or a new WebSocket and HTTP client in the benchmark's warm JVM (in-JVM mode). */
    @Override
    public void restart() throws Exception {
        stopApp();
        start();
    }

    @Override
    public java.util.OptionalLong pid() {
        Process p = process;
        return p == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(p.pid());
    }

    @Override
    public void stop() throws Exception {
        stopApp();
    }

    private void stopApp() throws Exception {
        if (app != null) {
            app.close();
            app = null;
        }
        Process p = process;
        if (p != null) {
            process = null;
            // its standard input closing is its signal to close its WebSocket and exit
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
