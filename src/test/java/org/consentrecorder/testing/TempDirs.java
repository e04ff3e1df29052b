package org.consentrecorder.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temporary directories for tests that cannot use JUnit's {@code @TempDir} (helpers shared by many
 * tests, directories handed to the application as configuration). Each is deleted with its
 * contents when the JVM exits; {@link java.io.File#deleteOnExit} would leave any directory that is not
 * empty, and key stores and exports never are. A test may delete one earlier with {@link #delete}.
 */
public final class TempDirs {
    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(TempDirs::deleteQuietly), "temp-dirs-cleanup"));
    }

    private TempDirs() {
    }

    /** A new directory named {@code cr-<prefix>…} in the system temp directory. */
    public static Path create(String prefix) {
        try {
            Path dir = Files.createTempDirectory("cr-" + prefix);
            CREATED.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory made by {@link #create} now, with everything in it. */
    public static void delete(Path dir) {
        if (CREATED.remove(dir)) {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort at exit: nothing to report to
        }
    }
}
