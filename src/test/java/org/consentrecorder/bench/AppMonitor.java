package org.consentrecorder.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.consentrecorder.app.Application;
import org.slf4j.LoggerFactory;

/**
 * What the benchmark reads from inside the application's JVM: process CPU time, ARI events
 * handled and dropped, live calls, GC counts, heap after forced GC, and every WARN/ERROR log
 * line (each one counts as an error of the run).
 */
final class AppMonitor {
    private static final int KEPT_MESSAGES = 50;

    private final Application app;
    private final AtomicLong warnings = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<String> messages = new ArrayList<>();

    /** One reading; all counters are totals since the JVM (or the application) started. */
    record Stats(long cpuNanos, long eventsHandled, long eventsDropped, int liveCalls, long warnings, long errors,
                 long gcCount, long gcMillis, long heapUsed) {
        String encode() {
            return cpuNanos + " " + eventsHandled + " " + eventsDropped + " " + liveCalls + " " + warnings + " "
                    + errors + " " + gcCount + " " + gcMillis + " " + heapUsed;
        }

        static Stats decode(String line) {
            String[] p = line.trim().split(" ");
            return new Stats(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]), Integer.parseInt(p[3]),
                    Long.parseLong(p[4]), Long.parseLong(p[5]), Long.parseLong(p[6]), Long.parseLong(p[7]),
                    Long.parseLong(p[8]));
        }
    }

    AppMonitor(Application app) {
        this.app = app;
    }

    /** Counts WARN and ERROR events of every logger from now on (the root logger's appender list). */
    void countLogProblems() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        AppenderBase<ILoggingEvent> counter = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                    errors.incrementAndGet();
                } else if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                    warnings.incrementAndGet();
                } else {
                    return;
                }
                synchronized (messages) {
                    if (messages.size() < KEPT_MESSAGES) {
                        messages.add(e.getLevel() + " [" + e.getThreadName() + "] " + e.getLoggerName() + " - "
                                + e.getFormattedMessage());
                    }
                }
            }
        };
        counter.setContext(ctx);
        counter.setName("bench-problem-counter");
        counter.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(counter);
    }

    Stats stats() {
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        return new Stats(processCpuNanos(), app.ari().eventsHandled(), app.ari().eventsDropped(),
                app.calls().liveCount(), warnings.get(), errors.get(), gcCount, gcMillis,
                ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Heap in use after full collections: the smallest of a few readings. */
    static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(150);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    List<String> problems() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }
}
