package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Each thread's run-queue wait in one process at one instant (the second field of /proc/PID/task/TID/schedstat: time
 * runnable but not on a core), so that a pause's window can say which thread waited for a core in it, and how long.
 *
 * <p>Why: a pause taken alone, on a machine with a core free most of the time, still had a slow one now and then
 * (2026-11-29: the product's own reaction, its event frame leaving Asterisk until its pause request arrived, 0.5 ms
 * at the median and 2-3 ms in 2 of 10). Whether its thread was runnable and kept from a core then, or busy, is what
 * the kernel's own count can tell; MachineProfile's totals over a situation cannot.
 *
 * <p>Read only around pauses taken alone (one call at a time): a reading opens two files per thread, a few
 * milliseconds of the benchmark's CPU per pause, which at 60 calls would land on the cores being measured, and there
 * the windows of the calls overlap anyway. A thread born in the window counts all its wait; one that ended in it
 * loses its last wait; a process that could not be read has no figure, never a zero.
 */
final class ThreadWaits {
    /** The thread that waited longest in a window (its name as the kernel has it, 15 bytes), and all threads' sum. */
    record Longest(String thread, double ms, double totalMs) {
    }

    /** One pause's window: the subject's threads and Asterisk's (either null when not read). */
    record Window(Longest subject, Longest asterisk) {
    }

    private static final ThreadWaits NONE = new ThreadWaits(Map.of(), Map.of());

    /** thread id → run-queue wait, ns; thread id → name. */
    private final Map<String, Long> waits;
    private final Map<String, String> names;

    ThreadWaits(Map<String, Long> waits, Map<String, String> names) {
        this.waits = Map.copyOf(waits);
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
        Map<String, Long> waits = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    long w = MachineProfile.runQueueWait(Files.readAllBytes(t.resolve("schedstat")));
                    String id = t.getFileName().toString();
                    waits.put(id, w);
                    names.put(id, Files.readString(t.resolve("comm")).trim());
                } catch (IOException | RuntimeException e) {
                    // the thread ended between the listing and the read
                }
            }
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
        return new ThreadWaits(waits, names);
    }

    boolean isEmpty() {
        return waits.isEmpty();
    }

    java.util.Collection<String> threadNames() {
        return names.values();
    }

    /** What the threads waited between before and now (this); null when either reading is empty. */
    Longest since(ThreadWaits before) {
        if (isEmpty() || before.isEmpty()) {
            return null;
        }
        String longest = null;
        long most = -1;
        long total = 0;
        for (var e : waits.entrySet()) {
            long grown = e.getValue() - before.waits.getOrDefault(e.getKey(), 0L);
            total += grown;
            if (grown > most) {
                most = grown;
                longest = e.getKey();
            }
        }
        return new Longest(names.get(longest), most / 1e6, total / 1e6);
    }
}
