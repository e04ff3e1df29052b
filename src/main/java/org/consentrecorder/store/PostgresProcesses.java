package org.consentrecorder.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which processes are PostgreSQL servers of a data directory, read from Linux's {@code /proc}: a
 * process counts only if its program is {@code postgres} and its data directory (the {@code -D}
 * argument, or its working directory, where a postmaster and its backends always chdir to) is the
 * one asked about. Nothing here guesses: where {@code /proc} cannot tell, the answer is "not ours",
 * and nothing is signalled.
 */
final class PostgresProcesses {
    private static final Path PROC = Path.of("/proc");

    private PostgresProcesses() {
    }

    /** Whether this system can answer the questions below (Linux with /proc mounted). */
    static boolean supported() {
        return Files.isReadable(PROC.resolve("self").resolve("cmdline"));
    }

    /** Alive and not a zombie (a zombie has exited; it only waits for its parent to reap it). */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
            // "pid (comm) S ...": the state follows the last ')' (comm may itself contain parentheses)
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code pid} is a postgres process whose data directory is {@code dataDirectory}. */
    static boolean isPostgresOf(long pid, Path dataDirectory) {
        Path proc = PROC.resolve(Long.toString(pid));
        List<String> argv = cmdline(proc);
        if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals("postgres")) {
            return false;
        }
        Path wanted = real(dataDirectory);
        for (int i = 1; i + 1 < argv.size(); i++) {
            Path given = Path.of(argv.get(i + 1));
            // a relative -D was relative to where it was started, not to the cwd it has now
            if (argv.get(i).equals("-D") && given.isAbsolute()) {
                return real(given).equals(wanted);
            }
        }
        return cwd(proc).map(PostgresProcesses::real).map(wanted::equals).orElse(false);
    }

    /** Every visible postgres process (postmaster or backend) of the data directory. */
    static List<Long> postgresOf(Path dataDirectory) {
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(name);
                if (pid != ProcessHandle.current().pid() && isPostgresOf(pid, dataDirectory) && alive(pid)) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            // /proc unreadable: nothing can be said, so nothing is found
        }
        return found;
    }

    /**
     * Sends a signal by name (INT, QUIT, ...) through the shell's {@code kill}: the JDK can send only
     * TERM and KILL to other processes. True when {@code kill} reported success.
     */
    static boolean signal(long pid, String signal) {
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + signal + " \"$1\"", "sh", Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> cmdline(Path proc) {
        try {
            byte[] raw = Files.readAllBytes(proc.resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static java.util.Optional<Path> cwd(Path proc) {
        try {
            return java.util.Optional.of(Files.readSymbolicLink(proc.resolve("cwd")));
        } catch (IOException | UnsupportedOperationException e) {
            return java.util.Optional.empty();
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
