package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the two cores were doing during one situation, read from /proc: how busy the machine was,
 * and for each process (Asterisk, the subject, the benchmark) its CPU time and the time its threads
 * were runnable but waiting for a core (the run-queue wait of /proc/PID/task/TID/schedstat, its
 * second field). The run-queue wait is the part of a latency that belongs to the OS scheduler: a
 * thread that is ready to send the pause, or to apply it, and does not get a core.
 */
final class MachineProfile {
    private static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux
    /** The processes watched, in the table's order; "database" is the product's PostgreSQL with its backends. */
    static final String[] ROLES = {"asterisk", "subject", "database", "benchmark"};

    /** Readings at one instant: machine busy and total ticks, and per process CPU ticks and run-queue wait. */
    record Reading(long atNanos, long busyTicks, long totalTicks, Map<String, long[]> processes) {
    }

    /** One situation's deltas: machine busy percent (of all cores), per process CPU percent of one core and wait ms/s. */
    record Delta(double seconds, double machineBusyPercent, Map<String, double[]> processes) {
        String markdownCells() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%.0f s | %.0f%% |", seconds, machineBusyPercent));
            for (String role : ROLES) {
                double[] p = processes.get(role);
                b.append(p == null ? " – |" : String.format(Locale.ROOT, " %.0f%% / %.0f ms/s |", p[0], p[1]));
            }
            return b.toString();
        }
    }

    private MachineProfile() {
    }

    /**
     * Watches the processes through one situation. CPU time comes from /proc/PID/stat, which keeps
     * the time of threads that ended; the run-queue wait is per thread only, and Asterisk and the JVMs
     * start and end threads all the time (a channel, an HTTP worker), so it is summed from readings
     * every {@link #PERIOD_MS} ms, each thread's growth since the last one: a thread that ends loses
     * what it waited in its last period (reading the threads only at the start and end gave negative
     * waits in run 7). The period is a trade: every reading opens a file per thread (several hundred
     * of Asterisk's at 60 calls), and at 50 ms this sampler alone used 14 s of CPU in an 8-minute run
     * (read from the benchmark's own threads), on the cores it measures. The database's backends are listed again once a
     * second, not every reading (listing descendants walks all of /proc).
     */
    static final class Watch implements AutoCloseable {
        static final int PERIOD_MS = 100;
        private static final long MEMBERS_REFRESH_NANOS = 1_000_000_000L;
        private final Map<String, Long> pids;
        /** role → its processes as last listed, and when. */
        private final Map<String, java.util.List<Long>> members = new java.util.HashMap<>();
        private long membersListedAt;
        /** role → thread id → its run-queue wait at the last reading, ns. */
        private final Map<String, Map<String, Long>> last = new java.util.HashMap<>();
        /** role → run-queue wait summed since the start, ns. */
        private final Map<String, Long> waited = new java.util.HashMap<>();
        private final Reading start;
        private final Thread sampler;
        private volatile boolean running = true;

        Watch(Map<String, Long> pids) {
            this.pids = Map.copyOf(pids);
            sample(true);
            start = reading(this.pids);
            sampler = new Thread(() -> {
                while (running) {
                    try {
                        Thread.sleep(PERIOD_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample(false);
                }
            }, "machine-profile");
            sampler.setDaemon(true);
            sampler.start();
        }

        /** The situation's delta; pidsNow tells a process restarted meanwhile (it then has no delta). */
        Delta stop(Map<String, Long> pidsNow) {
            close();
            sample(false);
            return between(start, reading(pidsNow));
        }

        @Override
        public void close() {
            running = false;
            sampler.interrupt();
            try {
                sampler.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private synchronized void sample(boolean baseline) {
            long now = System.nanoTime();
            if (members.isEmpty() || now - membersListedAt > MEMBERS_REFRESH_NANOS) {
                pids.forEach((role, pid) -> members.put(role, members(role, pid)));
                membersListedAt = now;
            }
            pids.forEach((role, pid) -> {
                Map<String, Long> threads = last.computeIfAbsent(role, k -> new java.util.HashMap<>());
                long grown = 0;
                for (long p : members.get(role)) {
                    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(p), "task"))) {
                        for (Path t : tasks.toList()) {
                            try {
                                long w = runQueueWait(Files.readAllBytes(t.resolve("schedstat")));
                                // a thread first seen after the start was born during the situation: all its wait counts
                                Long before = threads.put(t.getFileName().toString(), w);
                                grown += w - (before != null ? before : baseline ? w : 0);
                            } catch (IOException | RuntimeException e) {
                                // the thread ended between the listing and the read
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the process is gone (the take-over's SIGKILL, a backend that ended)
                    }
                }
                waited.merge(role, grown, Long::sum);
            });
        }

        private synchronized Reading reading(Map<String, Long> at) {
            Reading r = read(at);
            Map<String, long[]> processes = new LinkedHashMap<>();
            r.processes().forEach((role, p) -> processes.put(role, new long[] {p[0], waited.getOrDefault(role, 0L), p[2]}));
            return new Reading(r.atNanos(), r.busyTicks(), r.totalTicks(), processes);
        }
    }

    /** The second field of a schedstat line ("run-time wait-time timeslices"), in ns; parsed by hand, it is read often. */
    static long runQueueWait(byte[] schedstat) {
        int i = 0;
        while (i < schedstat.length && schedstat[i] != ' ') {
            i++;
        }
        i++;
        if (i >= schedstat.length) {
            throw new IllegalArgumentException("not a schedstat line");
        }
        long v = 0;
        int digits = 0;
        for (; i < schedstat.length && schedstat[i] >= '0' && schedstat[i] <= '9'; i++, digits++) {
            v = v * 10 + (schedstat[i] - '0');
        }
        if (digits == 0) {
            throw new IllegalArgumentException("not a schedstat line");
        }
        return v;
    }

    /** pids by role ("asterisk", "subject", "benchmark"); a missing or dead process is left out. Wait: 0 (see Watch). */
    static Reading read(Map<String, Long> pids) {
        long busy = 0;
        long total = 0;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                long v = Long.parseLong(cpu[i]);
                total += v;
                if (i != 4 && i != 5) { // idle, iowait
                    busy += v;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the deltas come out empty
        }
        Map<String, long[]> processes = new LinkedHashMap<>();
        pids.forEach((role, pid) -> {
            long[] p = process(pid, role.equals("database"));
            if (p != null && role.equals("database")) {
                // backends come and go: the ended ones are in the postmaster's cutime and cstime, the live ones are added
                for (long child : members(role, pid)) {
                    long[] c = child == pid ? null : process(child, false);
                    if (c != null) {
                        p[0] += c[0];
                    }
                }
            }
            if (p != null) {
                processes.put(role, p);
            }
        });
        return new Reading(System.nanoTime(), busy, total, processes);
    }

    /** The process, and for the database its live children (a backend per connection). */
    private static java.util.List<Long> members(String role, long pid) {
        if (!role.equals("database")) {
            return java.util.List.of(pid);
        }
        java.util.List<Long> all = new java.util.ArrayList<>(java.util.List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        return all;
    }

    /**
     * The newest PostgreSQL postmaster on the machine (the product's embedded database, started for the run), or
     * -1. pg_ctl detaches it, so it is not among this JVM's descendants: a postgres whose parent is not one.
     */
    static long databasePid() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.parent().flatMap(pp -> pp.info().command()).map(c -> !c.endsWith("/postgres")).orElse(true))
                .max(java.util.Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH)))
                .map(ProcessHandle::pid).orElse(-1L);
    }

    static Delta between(Reading a, Reading b) {
        double seconds = (b.atNanos() - a.atNanos()) / 1e9;
        double busy = b.totalTicks() == a.totalTicks() ? 0
                : 100.0 * (b.busyTicks() - a.busyTicks()) / (b.totalTicks() - a.totalTicks());
        Map<String, double[]> processes = new LinkedHashMap<>();
        b.processes().forEach((role, end) -> {
            long[] start = a.processes().get(role);
            // a process restarted during the situation (the take-over) has no delta to give
            if (start != null && start[2] == end[2] && seconds > 0) {
                double cpuPercent = 100.0 * (end[0] - start[0]) / CLOCK_TICKS / seconds;
                double waitMsPerSecond = (end[1] - start[1]) / 1e6 / seconds;
                processes.put(role, new double[] {cpuPercent, waitMsPerSecond});
            }
        });
        return new Delta(seconds, busy, processes);
    }

    /** CPU ticks (utime + stime), a zero left for Watch's run-queue wait, and the pid; null when it cannot be read. */
    private static long[] process(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // the command name is in parentheses and may hold spaces: count fields after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // fields 14 and 15 of proc(5), its own user and system time; with 16 and 17 that of the children it
            // waited for (for the database: the backends that ended; never for the benchmark, whose reaped child
            // is the product it restarted)
            long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12])
                    + (withReapedChildren ? Long.parseLong(f[13]) + Long.parseLong(f[14]) : 0);
            // the run-queue wait is summed by Watch, which reads the threads every 50 ms
            return new long[] {cpu, 0, pid};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The lab Asterisk's pid, from its pid file or else a process named asterisk; -1 when none is found. */
    /**
     * How the kernel schedules a process's threads, from field 41 (policy), 40 (real-time priority) and
     * 19 (nice) of /proc/PID/task/TID/stat, counted over its threads: e.g. "SCHED_RR priority 10: 42 of 42
     * threads". Asterisk's {@code highpriority = yes} (or {@code -p}) puts every thread at SCHED_RR 10; the
     * figures of a run depend on it, so the results say which it was.
     */
    static String schedulingOf(long pid) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        int threads = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    counts.merge(scheduling(Files.readString(t.resolve("stat"))), 1, Integer::sum);
                    threads++;
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown (no /proc/" + pid + ")";
        }
        StringBuilder b = new StringBuilder();
        for (var e : counts.entrySet()) {
            b.append(b.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue()).append(" of ")
                    .append(threads).append(" threads");
        }
        return b.toString();
    }

    /** One stat line's policy, as proc(5) and sched(7) name it. */
    static String scheduling(String statLine) {
        String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields from 3 on: field n is f[n - 3]
        long nice = Long.parseLong(f[19 - 3]);
        long rtPriority = Long.parseLong(f[40 - 3]);
        int policy = Integer.parseInt(f[41 - 3]);
        return switch (policy) {
            case 0 -> "SCHED_OTHER nice " + nice;
            case 1 -> "SCHED_FIFO priority " + rtPriority;
            case 2 -> "SCHED_RR priority " + rtPriority;
            case 3 -> "SCHED_BATCH nice " + nice;
            case 5 -> "SCHED_IDLE";
            default -> "policy " + policy;
        };
    }

    static long asteriskPid() {
        try {
            return Long.parseLong(Files.readString(Path.of("/opt/asterisk/var/run/asterisk-lab.pid")).trim());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.allProcesses()
                    .filter(p -> p.info().command().map(c -> c.endsWith("/asterisk")).orElse(false))
                    .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        }
    }
}
