package org.consentrecorder.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the tests of the packaged jar need to know about its embedded PostgreSQL, from outside:
 * the postmaster named in the data directory's postmaster.pid, its port, whether it runs, and a
 * clean-up that stops it whatever happened to the test.
 */
public final class Postmasters {
    private Postmasters() {
    }

    /** The process id in postmaster.pid, if the file is there. */
    public static Optional<Long> pid(Path dataDirectory) {
        return line(dataDirectory, 0).map(s -> Math.abs(Long.parseLong(s.trim())));
    }

    /** The port in postmaster.pid (line 4). */
    public static int port(Path dataDirectory) {
        return line(dataDirectory, 3).map(s -> Integer.parseInt(s.trim()))
                .orElseThrow(() -> new AssertionError("no port in " + dataDirectory.resolve("postmaster.pid")));
    }

    private static Optional<String> line(Path dataDirectory, int n) {
        try {
            List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.size() > n && !lines.get(n).isBlank() ? Optional.of(lines.get(n)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Alive and not a zombie. */
    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A live postgres process working in this data directory. */
    public static boolean runsOn(long pid, Path dataDirectory) {
        try {
            return alive(pid) && Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"))
                    .equals(dataDirectory.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the process is gone; false after the timeout. */
    public static boolean awaitGone(long pid, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Clean-up after a test, pass or fail: an immediate shutdown of the server left on the directory, if any. */
    public static void stopAny(Path dataDirectory) throws Exception {
        Optional<Long> pid = pid(dataDirectory);
        if (pid.isPresent() && runsOn(pid.get(), dataDirectory)) {
            new ProcessBuilder("kill", "-s", "QUIT", pid.get().toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            awaitGone(pid.get(), 15_000);
        }
    }
}
