package org.consentrecorder.bench.asterisk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Puts the benchmark's instrument at real-time priority: the threads that play the phones (triggers, DTMF,
 * tones), poll {@code GET /recordings/live/{name}} and read the callers' events, at SCHED_RR below
 * Asterisk's 10. Why: Asterisk sets a recording {@code paused} before it answers the pause request
 * (res_stasis_recording.c), yet in run 16 the benchmark's poll read it up to 25 ms after the product had
 * that answer, because the poll waited for a core behind the subject's own work after its pause (its
 * database writes, its archive). At the same normal priority as the subjects the instrument measured its
 * own queueing. Both subjects (the product's process, and the reference app, whose HTTP client is its
 * own) stay at normal priority. Needs root or CAP_SYS_NICE, as the lab has; without it the benchmark says
 * so and runs as before. An experiment (--instrument-rt N, off by default): in runs 17 and 18 the product's
 * slowest 60-call pauses still had C of 120–131 ms with the instrument at SCHED_RR 5, so that tail is not the
 * instrument waiting for a core.
 */
final class InstrumentPriority {
    private static volatile int priority;

    private InstrumentPriority() {
    }

    /** 0: leave every thread alone. */
    static void use(int rtPriority) {
        priority = rtPriority;
    }

    static int priority() {
        return priority;
    }

    /** The calling thread at the instrument's priority (nothing when it is 0); false when the kernel refused. */
    static boolean promoteCurrentThread() {
        return priority <= 0 || promote(currentThread());
    }

    static boolean promote(long tid) {
        if (priority <= 0) {
            return true;
        }
        try {
            // -R (SCHED_RESET_ON_FORK): a process such a thread starts (the product after a crash, SIPp) starts at
            // normal priority, as it would anywhere else
            Process p = new ProcessBuilder("chrt", "-r", "-R", "-p", String.valueOf(priority), String.valueOf(tid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * n threads at the instrument's priority, all started and promoted before this returns. Why before: promoting
     * a thread runs chrt, a process at normal priority, and a thread promoted while a situation runs waited for it
     * behind the subjects' work (run 17: a poll 131 ms late, from an executor thread created mid-situation).
     */
    static java.util.concurrent.ThreadPoolExecutor prestarted(int n, String name) {
        java.util.concurrent.CountDownLatch promoted = new java.util.concurrent.CountDownLatch(n);
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(n, n, 0L,
                java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(() -> {
                        promoteCurrentThread();
                        promoted.countDown();
                        r.run();
                    }, name);
                    t.setDaemon(true);
                    return t;
                });
        pool.prestartAllCoreThreads();
        try {
            if (!promoted.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the instrument's threads were not promoted within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return pool;
    }

    /** Runs work on a thread of the instrument's priority and waits for it (the caller's thread stays as it is). */
    static <T> T onInstrumentThread(java.util.concurrent.Callable<T> work) throws Exception {
        java.util.concurrent.ExecutorService one = AsteriskBenchmark.threads(1);
        try {
            return one.submit(work).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            one.shutdownNow();
        }
    }

    /**
     * Whether a thread can be put at the priority here (root or CAP_SYS_NICE): tried on a thread of its own, and
     * its scheduling read back; the description of what the instrument runs at.
     */
    static String check() throws Exception {
        if (priority <= 0) {
            return "normal priority (--instrument-rt 0)";
        }
        String got = onInstrumentThread(() -> schedulingOf(currentThread()));
        if (!got.startsWith("SCHED_RR")) {
            priority = 0;
            return "normal priority (SCHED_RR refused here: " + got + ")";
        }
        return got + " (its phones, poller and event reader; the subjects at normal priority)";
    }

    /** This thread's kernel id: /proc/thread-self links to /proc/PID/task/TID. */
    static long currentThread() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("no /proc/thread-self: the instrument's priority needs Linux", e);
        }
    }

    /** The kernel ids of this process's threads now. */
    static Set<Long> threads() {
        Set<Long> out = new TreeSet<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> out.add(Long.parseLong(t.getFileName().toString())));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/task", e);
        }
        return out;
    }

    /** How a thread is scheduled, as MachineProfile names it. */
    static String schedulingOf(long tid) {
        try {
            return MachineProfile.scheduling(Files.readString(Path.of("/proc/self/task", String.valueOf(tid), "stat")));
        } catch (IOException e) {
            return "unknown";
        }
    }
}
