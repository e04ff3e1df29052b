package org.consentrecorder.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPU time outside the JVMs, from Linux /proc (best effort: elsewhere every reading is -1):
 * the whole machine (/proc/stat) and one PostgreSQL server with its backends.
 */
final class SystemCpu {
    private static final Path PROC = Path.of("/proc");
    /** USER_HZ: /proc reports clock ticks of 10 ms on every Linux this runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private SystemCpu() {
    }

    /** Busy and total CPU time of the machine, all cores summed. */
    record Machine(long busyNanos, long totalNanos) {
        double busyFraction(Machine since) {
            long total = totalNanos - since.totalNanos;
            return busyNanos < 0 || total <= 0 ? Double.NaN : (double) (busyNanos - since.busyNanos) / total;
        }
    }

    static Machine machine() {
        try {
            String first = Files.readAllLines(PROC.resolve("stat"), StandardCharsets.US_ASCII).get(0);
            String[] f = first.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new Machine((total - idle) * NANOS_PER_TICK, total * NANOS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            return new Machine(-1, -1);
        }
    }

    /** The postmaster listening on the port (found by its "-p PORT" argument), or -1. */
    static long postmasterPid(int port) {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                List<String> args = cmdline(p);
                if (args.isEmpty() || !Path.of(args.get(0)).getFileName().toString().equals("postgres")) {
                    continue;
                }
                for (int i = 0; i < args.size(); i++) {
                    String a = args.get(i);
                    if ((a.equals("-p") && i + 1 < args.size() && args.get(i + 1).equals(String.valueOf(port)))
                            || a.equals("-p" + port)) {
                        return Long.parseLong(p.getFileName().toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time of the postmaster, of the children it has reaped, and of its live children
     * (the backends of our connections among them), or -1.
     */
    static long processTreeNanos(long rootPid) {
        if (rootPid <= 0) {
            return -1;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            long ticks = 0;
            Set<Long> seen = new HashSet<>();
            for (Path p : procs) {
                long[] s = stat(p);
                if (s == null) {
                    continue;
                }
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == rootPid) {
                    ticks += s[1] + s[2] + s[3] + s[4];
                    seen.add(pid);
                } else if (s[0] == rootPid) {
                    ticks += s[1] + s[2];
                    seen.add(pid);
                }
            }
            return seen.contains(rootPid) ? ticks * NANOS_PER_TICK : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** ppid, utime, stime, cutime, cstime. */
    private static long[] stat(Path proc) {
        try {
            String s = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<String> cmdline(Path proc) {
        try {
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            List<String> out = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    out.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
