package org.consentrecorder.bench;

import java.util.List;
import java.util.Map;
import org.consentrecorder.app.Application;
import org.consentrecorder.app.AppConfig;
import org.consentrecorder.config.ConfigSource;

/**
 * The application in the benchmark's own JVM (the smoke test). Heap and CPU figures then include
 * the ARI double and the load generator, so they are not the application's alone.
 */
final class InlineApp implements AppUnderTest {
    private final Application app;
    private final AppMonitor monitor;

    InlineApp(Map<String, String> env) throws Exception {
        this.app = Application.start(AppConfig.load(ConfigSource.of(env)));
        this.monitor = new AppMonitor(app);
        monitor.countLogProblems();
    }

    @Override
    public AppMonitor.Stats stats() {
        return monitor.stats();
    }

    @Override
    public long heapAfterGc() throws InterruptedException {
        return AppMonitor.heapAfterGc();
    }

    @Override
    public List<String> problems() {
        return monitor.problems();
    }

    @Override
    public String describe() {
        return "same JVM as the ARI double and the load generator (heap and CPU include both)";
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public void close() throws Exception {
        app.close();
    }
}
