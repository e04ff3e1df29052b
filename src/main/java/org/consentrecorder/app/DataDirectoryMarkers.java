package org.consentrecorder.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Keeps demo data and real data apart. The {@code demo} command writes {@value #DEMO} into its data
 * directory (and its key store) at the first start; {@code run} writes {@value #RUN} into its key
 * store. Each refuses the other's: a demo must never put made-up calls and a throwaway keyring
 * beside real recordings, and a service must never run on a demo's keys, whose keyring lies next to
 * the data it protects.
 */
final class DataDirectoryMarkers {
    static final String DEMO = "consent-recorder-demo.txt";
    static final String RUN = "consent-recorder-run.txt";

    private DataDirectoryMarkers() {
    }

    /** The start-up refusal: the message names the directory, the marker and what to do. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** What the demo found in its data directory. */
    enum DemoDirectory {
        /** New or empty: the demo made it its own. */
        FRESH,
        /** Made by an earlier demo: its accounts and keyring are reused. */
        REUSED
    }

    /** For {@code run}, with the directories of its configuration. */
    static void claimForRun(AppConfig config) {
        claimForRun(config.archive().keyStoreDirectory(),
                config.database().embedded() ? Optional.of(config.database().embeddedDirectory()) : Optional.empty(),
                config.archive().keyringFile());
    }

    /**
     * For {@code run}: refuses when the key store, the embedded database or the keyring file lies in
     * a demo data directory, then marks the key store directory as real data (first start only).
     */
    static void claimForRun(Path keyStore, Optional<Path> embeddedDatabase, Optional<Path> keyringFile) {
        Set<Path> places = new LinkedHashSet<>();
        addWithParent(places, keyStore);
        embeddedDatabase.ifPresent(p -> addWithParent(places, p));
        keyringFile.map(p -> p.toAbsolutePath().normalize().getParent()).ifPresent(places::add);
        for (Path place : places) {
            Path marker = place.resolve(DEMO);
            if (Files.exists(marker)) {
                throw new Refused("refusing to start: " + place + " is a demo data directory (made by the demo "
                        + "command; marker " + marker + "). Its calls are made up and its keyring lies beside the "
                        + "data it protects. Point CR_DB_EMBEDDED_DIR and CR_KEYSTORE_DIR (and CR_KEYRING_FILE) at "
                        + "directories of your own (defaults: data/postgres, data/keys), or delete the demo directory "
                        + "if you no longer need it.");
            }
        }
        Path dir = keyStore.toAbsolutePath().normalize();
        writeOnce(dir, RUN, "This directory holds the data of a consent-recorder service started with 'run'.\n"
                + "The demo command refuses to use it, so that made-up calls never mix with real ones.\n"
                + "First start: " + Instant.now() + "\n");
    }

    /**
     * For {@code demo}: accepts a new or empty directory (and marks it) or one an earlier demo made;
     * refuses one that {@code run} used or that holds anything else.
     */
    static DemoDirectory claimForDemo(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        for (Path place : Stream.of(dir, dir.resolve("keys"), dir.resolve("postgres")).toList()) {
            Path marker = place.resolve(RUN);
            if (Files.exists(marker)) {
                throw new Refused("refusing to start the demo in " + dir + ": a real 'run' has used it (marker "
                        + marker + "). The demo would put made-up calls and a demo keyring beside real recordings. "
                        + "Choose another directory with --data-dir, or leave --data-dir out for a throwaway one.");
            }
        }
        if (Files.exists(dir.resolve(DEMO))) {
            return DemoDirectory.REUSED;
        }
        if (Files.exists(dir) && !isEmptyDirectory(dir)) {
            throw new Refused("refusing to start the demo in " + dir + ": it is not empty and the demo did not make it "
                    + "(there is no " + DEMO + " in it), so it may hold real data. Choose a new or empty directory "
                    + "with --data-dir, or leave --data-dir out for a throwaway one.");
        }
        String text = "This directory holds DEMO data of consent-recorder: made-up calls, demo accounts and a demo\n"
                + "keyring stored beside the data. Nothing here is for production; 'run' refuses to use it.\n"
                + "Created: " + Instant.now() + "\n";
        writeOnce(dir, DEMO, text);
        writeOnce(dir.resolve("keys"), DEMO, text);
        return DemoDirectory.FRESH;
    }

    private static void addWithParent(Set<Path> places, Path p) {
        Path abs = p.toAbsolutePath().normalize();
        places.add(abs);
        if (abs.getParent() != null) {
            places.add(abs.getParent());
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void writeOnce(Path dir, String name, String text) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            // marked at an earlier start
        } catch (IOException e) {
            throw new Refused("cannot write the marker " + dir.resolve(name) + ": " + e.getMessage());
        }
    }
}
