package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Each thread's run time and run-queue wait in one process at one instant (the first two fields of
 * /proc/PID/task/TID/schedstat: time on a core, and time runnable but not on a core), so that a pause's window can
 * say which thread waited for a core in it and which one ran, and how long.
 *
 * <p>Why: a pause taken alone, on a machine with a core free most of the time, still had a slow one now and then
 * (2026-11-29: the product's own reaction, its event frame leaving Asterisk until its pause request arrived, 0.5 ms
 * at the median and 2-3 ms in 2 of 10). Whether its threads were runnable and kept from a core then, or busy, is
 * what the kernel's own counts can tell; MachineProfile's totals over a situation cannot.
 *
 * <p>Read only around pauses taken alone (one call at a time): a reading opens two files per thread, a few
 * milliseconds of the benchmark's CPU per pause, which at 60 calls would land on the cores being measured, and there
 * the windows of the calls overlap anyway. A thread born in the window counts all its time; one that ended in it
 * loses its last; a process that could not be read has no figure, never a zero.
 */
final class ThreadWaits {
    /**
     * One process's threads over a window: the thread that waited longest for a core (its name as the kernel keeps
     * it, 15 bytes) and how long, all threads' waits summed, and the thread that ran longest and how long.
     */
    record Longest(String thread, double ms, double totalMs, String ranLongest, double ranMs) {
    }

    /** One pause's window: the subject's threads and Asterisk's (either null when not read), and its length. */
    record Window(Longest subject, Longest asterisk, double windowMs) {
    }

    private static final ThreadWaits NONE = new ThreadWaits(Map.of(), Map.of());

    /** thread id → {run time, run-queue wait}, ns; thread id → name. */
    private final Map<String, long[]> times;
    private final Map<String, String> names;

    ThreadWaits(Map<String, long[]> times, Map<String, String> names) {
        this.times = Map.copyOf(times);
        this.names = Map.copyOf(names);
    }

    /** The process's threads now; none when pid is absent or the process cannot be read. */
    static ThreadWaits of(java.util.OptionalLong pid) {
        return pid.isPresent() ? of(pid.getAsLong()) : NONE;
    }

    static ThreadWaits of(long pid) {
        if (pid <= 0) {
            return NONE;
        }
        Map<String, long[]> times = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String id = t.getFileName().toString();
                    times.put(id, parse(Files.readString(t.resolve("schedstat"))));
                    names.put(id, Files.readString(t.resolve("comm")).trim());
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
        return new ThreadWaits(times, names);
    }

    /** A schedstat line, "run-time wait-time timeslices" in ns: the first two. */
    static long[] parse(String schedstat) {
        String[] f = schedstat.trim().split(" ");
        if (f.length < 2) {
            throw new IllegalArgumentException("not a schedstat line");
        }
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    boolean isEmpty() {
        return times.isEmpty();
    }

    java.util.Collection<String> threadNames() {
        return names.values();
    }

    /** What the threads waited and ran between before and now (this); null when either reading is empty. */
    Longest since(ThreadWaits before) {
        if (isEmpty() || before.isEmpty()) {
            return null;
        }
        String waitedMost = null;
        String ranMost = null;
        long most = -1;
        long ran = -1;
        long total = 0;
        for (var e : times.entrySet()) {
            long[] then = before.times.getOrDefault(e.getKey(), new long[2]);
            long grown = e.getValue()[1] - then[1];
            long run = e.getValue()[0] - then[0];
            total += grown;
            if (grown > most) {
                most = grown;
                waitedMost = e.getKey();
            }
            if (run > ran) {
                ran = run;
                ranMost = e.getKey();
            }
        }
        return new Longest(names.get(waitedMost), most / 1e6, total / 1e6, names.get(ranMost), ran / 1e6);
    }
}
