package org.consentrecorder.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The capture can be read while other threads log (what {@code ListAppender} could not), and it lets go when closed. */
class CapturedLogsTest {
    private static final Logger LOG = LoggerFactory.getLogger(CapturedLogsTest.class);

    @Test
    void readingWhileOtherThreadsLog_seesAConsistentPrefix() throws Exception {
        int perThread = 20_000;
        ch.qos.logback.classic.Logger own = (ch.qos.logback.classic.Logger) LOG;
        own.setAdditive(false); // 40 000 lines are for the capture, not the build's console
        try (CapturedLogs logs = CapturedLogs.of(CapturedLogsTest.class)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> writers = List.of(writer(go, "a", perThread), writer(go, "b", perThread));
            writers.forEach(Thread::start);
            go.countDown();
            int reads = 0;
            while (writers.stream().anyMatch(Thread::isAlive)) {
                for (ILoggingEvent e : logs.events()) {
                    assertTrue(e.getFormattedMessage().startsWith("line "), e.getFormattedMessage());
                }
                reads++;
            }
            for (Thread w : writers) {
                w.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertTrue(reads > 0);
            assertEquals(2 * perThread, logs.events().size());
        } finally {
            own.setAdditive(true);
        }
    }

    @Test
    void closing_detachesAndGivesTheLevelBack() {
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        CapturedLogs logs = CapturedLogs.everything(Level.TRACE);
        assertEquals(Level.TRACE, root.getLevel());
        LOG.trace("line while captured");
        logs.close();
        LOG.info("line after close");
        assertEquals(before, root.getLevel());
        assertEquals(List.of("line while captured"),
                logs.events().stream().map(ILoggingEvent::getFormattedMessage).toList());
    }

    private static Thread writer(CountDownLatch go, String name, int lines) {
        return new Thread(() -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < lines; i++) {
                LOG.info("line {} {}", name, i);
            }
        }, "writer-" + name);
    }
}
