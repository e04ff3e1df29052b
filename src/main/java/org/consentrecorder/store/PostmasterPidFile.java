package org.consentrecorder.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a data directory's {@code postmaster.pid} claims: the postmaster's process id (line 1; negative
 * for a single-user backend), its data directory (line 2) and its port (line 4). A claim only: the
 * process may be gone, and the number may since belong to another process.
 */
public record PostmasterPidFile(long pid, String dataDirectory, int port) {
    public static final String NAME = "postmaster.pid";

    /** Empty when the file is absent, or too short to name a process (a postmaster still writing it). */
    public static Optional<PostmasterPidFile> read(Path dataDirectory) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dataDirectory.resolve(NAME), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Math.abs(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            throw new IOException(dataDirectory.resolve(NAME) + " does not start with a process id");
        }
        String dir = lines.size() > 1 ? lines.get(1).trim() : "";
        int port = 0;
        if (lines.size() > 3) {
            try {
                port = Integer.parseInt(lines.get(3).trim());
            } catch (NumberFormatException e) {
                port = 0;
            }
        }
        return Optional.of(new PostmasterPidFile(pid, dir, port));
    }
}
