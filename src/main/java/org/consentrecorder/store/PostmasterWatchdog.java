package org.consentrecorder.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.consentrecorder.config.ExternalText;

/**
 * Takes the embedded PostgreSQL down when the application dies without closing it (SIGKILL, the OOM
 * killer, a halt), so that the server is not left running as an orphan that holds the data directory.
 *
 * <p>It is a small shell process started beside the postmaster. Its standard input is a pipe whose
 * only writer is this JVM; the kernel closes that pipe when the JVM ends, however it ends, and the
 * shell's {@code read} returns. If the postmaster named at start is still a process of this data
 * directory (its working directory), it is asked to shut down fast (SIGINT), and after 30 s
 * immediately (SIGQUIT). No polling, and no process id of the JVM to be reused. The shell ignores
 * SIGINT, SIGTERM and SIGHUP, so a Ctrl-C in a terminal, which reaches the whole process group,
 * leaves the orderly shutdown to the application. Where there is no {@code /bin/sh} and no
 * {@code /proc} (not Linux), there is no watchdog; {@link LeftoverPostmaster} still clears an orphan
 * at the next start.
 */
final class PostmasterWatchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostmasterWatchdog.class);
    private static final String SCRIPT = String.join("\n",
            "trap '' INT TERM HUP",
            "pid=\"$1\"; dir=\"$2\"; app=\"$3\"",
            "read -r _ || :",
            "ours() { [ -d \"/proc/$pid\" ] && [ \"/proc/$pid/cwd\" -ef \"$dir\" ]; }",
            "ours || exit 0",
            "echo \"consent-recorder watchdog: the application (pid $app) is gone; stopping its embedded PostgreSQL "
                    + "(pid $pid, fast shutdown)\" >&2",
            "kill -s INT \"$pid\" 2>/dev/null",
            "i=0",
            "while ours && [ \"$i\" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done",
            "ours || exit 0",
            "echo \"consent-recorder watchdog: PostgreSQL (pid $pid) still runs after 30 s; immediate shutdown\" >&2",
            "kill -s QUIT \"$pid\" 2>/dev/null",
            "");

    private final Process shell;
    private final OutputStream lifeline;

    private PostmasterWatchdog(Process shell) {
        this.shell = shell;
        this.lifeline = shell.getOutputStream();
    }

    /** Starts a watchdog for the postmaster now running on {@code dataDirectory}; empty where none can run. */
    static Optional<PostmasterWatchdog> start(Path dataDirectory) {
        Path sh = Path.of("/bin/sh");
        if (!PostgresProcesses.supported() || !Files.isExecutable(sh)) {
            LOG.info("embedded PostgreSQL: no watchdog on this system (needs /bin/sh and /proc); a server left "
                    + "running by a crash is stopped at the next start");
            return Optional.empty();
        }
        try {
            Path dir = dataDirectory.toRealPath();
            Optional<PostmasterPidFile> pid = PostmasterPidFile.read(dir);
            if (pid.isEmpty()) {
                LOG.warn("embedded PostgreSQL: no {} after start; no watchdog", PostmasterPidFile.NAME);
                return Optional.empty();
            }
            Process shell = new ProcessBuilder(sh.toString(), "-c", SCRIPT, "consent-recorder-watchdog",
                    Long.toString(pid.get().pid()), dir.toString(), Long.toString(ProcessHandle.current().pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            LOG.debug("embedded PostgreSQL: watchdog pid {} for postmaster pid {}", shell.pid(), pid.get().pid());
            return Optional.of(new PostmasterWatchdog(shell));
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL: watchdog not started ({}); a server left running by a crash is stopped "
                    + "at the next start", ExternalText.forLog(e.getMessage()));
            return Optional.empty();
        }
    }

    long pid() {
        return shell.pid();
    }

    /** After the server was stopped: the watchdog finds it gone and exits. */
    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException e) {
            shell.destroy();
        }
    }
}
