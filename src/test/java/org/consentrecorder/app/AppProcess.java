package org.consentrecorder.app;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar run as an operator runs it ({@code java -jar}), or, for the crash points inside
 * the archive and privacy pipelines, the same jar with the test classes behind it and
 * {@link CrashPointMain} as the main class. Its output goes to a log file the test reads; it is
 * killed with SIGKILL ({@link Process#destroyForcibly()}) where a test needs a crash.
 */
final class AppProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("packaged.jar", "target/consent-recorder-0.1.0-SNAPSHOT.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int httpPort;
    private final long startedNanos = System.nanoTime();

    private AppProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** {@code java -jar}: the product as shipped. */
    static AppProcess jar(Path log, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return start(cmd, log, env);
    }

    /**
     * The jar's classes and dependencies, plus the compiled test classes for {@link CrashPointMain}
     * (never shipped): it arms the named checkpoints, prints a marker when one is reached, and blocks there.
     */
    static AppProcess withCrashPoints(Path log, Map<String, String> env, String points) throws IOException {
        Path testClasses = Path.of(URI.create(CrashPointMain.class.getProtectionDomain().getCodeSource().getLocation()
                .toString()));
        List<String> cmd = List.of(java(), "-Xmx256m", "-D" + CrashPointMain.POINTS + "=" + points,
                // the product's logging configuration, not the tests' logback-test.xml
                "-Dlogback.configurationFile=logback.xml",
                "-cp", JAR.toAbsolutePath() + java.io.File.pathSeparator + testClasses,
                CrashPointMain.class.getName());
        return start(cmd, log, env);
    }

    private static AppProcess start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("CR_"));
        pb.environment().putAll(env);
        int port = Integer.parseInt(env.getOrDefault("CR_HTTP_PORT", "8080"));
        Files.writeString(log, "\n==== " + String.join(" ", cmd.subList(Math.max(0, cmd.size() - 3), cmd.size())) + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return new AppProcess(pb.start(), log, port);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    Process process() {
        return process;
    }

    int httpPort() {
        return httpPort;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The process's direct children (the embedded server's watchdog is one). */
    List<ProcessHandle> children() {
        return process.toHandle().children().toList();
    }

    /** Arms a crash point of a {@link CrashPointMain} process, and waits until it says so. */
    void arm(String point) throws IOException, InterruptedException {
        var in = process.getOutputStream();
        in.write(("arm " + point + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        awaitLog(Pattern.compile(Pattern.quote(CrashPointMain.MARKER + " armed " + point)), Duration.ofSeconds(10));
    }

    /** Waits for /health/ready to answer 200; returns how long it took since this process was started. */
    Duration awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the application exited with " + process.exitValue() + "; log:\n" + log());
            }
            last = status("/health/ready");
            if (last == 200) {
                return Duration.ofNanos(System.nanoTime() - startedNanos);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/health/ready answered " + last + " after " + timeout.toSeconds() + " s; log:\n" + log());
    }

    int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits for a log line matching the pattern (from this process's start on); returns the match. */
    Matcher awaitLog(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Matcher> m = find(pattern);
            if (m.isPresent()) {
                return m.get();
            }
            if (!process.isAlive()) {
                throw new AssertionError("the application exited before logging " + pattern + "; log:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no log line " + pattern + " within " + timeout.toSeconds() + " s; log:\n" + log());
            }
            Thread.sleep(50);
        }
    }

    Optional<Matcher> find(Pattern pattern) {
        String text = log();
        int start = text.lastIndexOf("\n==== ");
        Matcher m = pattern.matcher(start < 0 ? text : text.substring(start));
        return m.find() ? Optional.of(m) : Optional.empty();
    }

    /** SIGKILL: no shutdown hook, no clean close, exactly like the OOM killer. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the application did not die of SIGKILL");
        }
    }

    /** SIGTERM: the orderly shutdown; true if it exited within the wait. */
    boolean stop(Duration wait) throws InterruptedException {
        process.destroy();
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
