package org.consentrecorder.bench;

import java.util.List;

/** The application the benchmark drives: in its own JVM (the default) or inside the benchmark's. */
interface AppUnderTest extends AutoCloseable {
    AppMonitor.Stats stats() throws Exception;

    /** Heap in use after forced full collections, in the application's JVM. */
    long heapAfterGc() throws Exception;

    /** The first WARN/ERROR log lines of the application. */
    List<String> problems() throws Exception;

    /** How the application runs, for the results file. */
    String describe();

    /** Process id of the application's JVM. */
    long pid();
}
