package org.consentrecorder.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.consentrecorder.archive.ArchiveCheckpoints;
import org.consentrecorder.privacy.PrivacyCheckpoints;
import org.consentrecorder.store.DatabaseServer;

/**
 * Test-only main class (never in the shipped jar): the application as {@code run} starts it, with the
 * database server and wiring of the product, but with named crash points armed. The first time the
 * archive or the privacy lifecycle reaches an armed point it prints {@code CRASH-POINT <point> <id>}
 * and stops there (the step's future never completes); the test then kills the process with
 * SIGKILL. So no crash switch exists in production code, and the process that dies is the real
 * one, with its real embedded PostgreSQL.
 *
 * <p>Points: {@code archive:<ArchiveCheckpoints.Point>} and {@code privacy:<PrivacyCheckpoints.Point>},
 * comma-separated, in the system property {@value #POINTS}, or later, a line {@code arm <point>} on
 * standard input each (answered {@code CRASH-POINT armed <point>}).
 */
public final class CrashPointMain {
    static final String POINTS = "crash.points";
    static final String MARKER = "CRASH-POINT";

    private CrashPointMain() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> armed = ConcurrentHashMap.newKeySet();
        armed.addAll(Arrays.stream(System.getProperty(POINTS, "").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet()));
        AppConfig config = Main.loadConfig();
        DatabaseServer database = DatabaseServer.start(config.database());
        ArchiveCheckpoints archive = (point, id) -> reached(armed, "archive:" + point, id);
        PrivacyCheckpoints privacy = (point, id) -> reached(armed, "privacy:" + point, id);
        Application.start(config, database, archive, privacy);
        System.out.println(MARKER + "S armed: " + armed);
        System.out.flush();
        // more points are armed later, one line "arm <point>" on standard input each; killed by the test,
        // nothing here ever stops it otherwise
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("arm ")) {
                    armed.add(line.substring(4).trim());
                    System.out.println(MARKER + " armed " + line.substring(4).trim());
                    System.out.flush();
                }
            }
        }
        Thread.currentThread().join();
    }

    private static Future<Void> reached(Set<String> armed, String point, UUID id) {
        if (!armed.remove(point)) {
            return Future.succeededFuture();
        }
        System.out.println(MARKER + " " + point + " " + id);
        System.out.flush();
        return Promise.<Void>promise().future();
    }
}
