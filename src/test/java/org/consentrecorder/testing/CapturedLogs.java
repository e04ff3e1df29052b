package org.consentrecorder.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * The log events one logger receives while a test runs, for assertions about what was (and was never) logged.
 *
 * <p>Why not logback's {@code ListAppender}: its list is a plain {@code ArrayList} that the application's event loops
 * keep appending to while the test reads it, and reading it then throws {@code ConcurrentModificationException}
 * (it failed CI that way on 2026-11-28, in the test that checks payment digits never reach a log line). Here the
 * events go to a concurrent queue and the test reads a snapshot: what had been logged when it asked.
 *
 * <p>Close it (try-with-resources or an {@code @AfterEach}) to detach it and give the logger its level back.
 */
public final class CapturedLogs implements AutoCloseable {
    private final Logger logger;
    private final Level levelBefore;
    private final boolean levelChanged;
    private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    };

    private CapturedLogs(Logger logger, Level level) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
        this.levelChanged = level != null;
        appender.setName("captured-logs");
        appender.start();
        logger.addAppender(appender);
        if (levelChanged) {
            logger.setLevel(level);
        }
    }

    /** Everything the application logs at the levels its configuration gives. */
    public static CapturedLogs everything() {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME), null);
    }

    /** Everything the application logs, with the root logger lowered to {@code level} until closed. */
    public static CapturedLogs everything(Level level) {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME), level);
    }

    /** What one class's logger receives, at the level the configuration gives it. */
    public static CapturedLogs of(Class<?> source) {
        return new CapturedLogs((Logger) LoggerFactory.getLogger(source), null);
    }

    /** The events logged so far, in order; a copy, so it stays still while the application goes on logging. */
    public List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        if (levelChanged) {
            logger.setLevel(levelBefore);
        }
    }
}
