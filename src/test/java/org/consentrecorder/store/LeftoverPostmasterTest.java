package org.consentrecorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the embedded server's start does with a postmaster.pid it finds, for every case but a live
 * postmaster of the directory (that one needs a real orphaned server: EmbeddedDatabaseRestartIT kills the
 * packaged jar to make one). The rule under test: nothing but this directory's postmaster is ever signalled.
 */
class LeftoverPostmasterTest {
    @TempDir
    Path dir;
    private Process unrelated;
    private final LeftoverPostmaster leftover = new LeftoverPostmaster(Duration.ofSeconds(2), Duration.ofSeconds(2));

    @BeforeEach
    void linuxOnly() {
        assertTrue(PostgresProcesses.supported(), "these tests need Linux /proc, as the product does for this feature");
    }

    @AfterEach
    void stopUnrelated() {
        if (unrelated != null) {
            unrelated.destroyForcibly();
        }
    }

    private void pidFile(long pid) throws IOException {
        Files.writeString(dir.resolve("postmaster.pid"), pid + "\n" + dir + "\n1700000000\n5432\n/tmp\n127.0.0.1\n"
                + "  5432001    32768\nready   \n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("PG_VERSION"), "17\n");
    }

    @Test
    void noPidFileIsACleanDirectory() throws Exception {
        assertEquals(LeftoverPostmaster.Outcome.NONE, leftover.clear(dir));
    }

    @Test
    void aPidFileOfAProcessThatIsGoneIsLeftToPostgres() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        pidFile(gone.pid());
        assertEquals(LeftoverPostmaster.Outcome.LEFT_TO_POSTGRES, leftover.clear(dir));
        assertTrue(Files.exists(dir.resolve("postmaster.pid")), "PostgreSQL removes it itself after its own checks");
    }

    @Test
    void aPidFileNamingAnUnrelatedLiveProcessNeverGetsItSignalled() throws Exception {
        unrelated = new ProcessBuilder("sleep", "60").start();
        pidFile(unrelated.pid());
        assertEquals(LeftoverPostmaster.Outcome.STALE_FILE_REMOVED, leftover.clear(dir));
        assertFalse(unrelated.waitFor(300, TimeUnit.MILLISECONDS), "still running: never signalled");
        assertFalse(Files.exists(dir.resolve("postmaster.pid")));
        assertFalse(PostgresProcesses.isPostgresOf(unrelated.pid(), dir));
    }

    @Test
    void aDirectoryStillOwnedByARunningApplicationIsNotTouched() throws Exception {
        unrelated = new ProcessBuilder("sleep", "60").start();
        pidFile(unrelated.pid());
        try (FileChannel ch = FileChannel.open(dir.resolve(LeftoverPostmaster.OWNER_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            IOException e = assertThrows(IOException.class, () -> leftover.clear(dir));
            assertTrue(e.getMessage().contains("in use by another consent-recorder process"), e.getMessage());
        }
        assertTrue(Files.exists(dir.resolve("postmaster.pid")), "nothing removed");
        assertTrue(unrelated.isAlive());
    }

    @Test
    void thePidFileIsReadAsPostgresWritesIt() throws Exception {
        pidFile(4242);
        PostmasterPidFile f = PostmasterPidFile.read(dir).orElseThrow();
        assertEquals(4242, f.pid());
        assertEquals(dir.toString(), f.dataDirectory());
        assertEquals(5432, f.port());
        Files.writeString(dir.resolve("postmaster.pid"), "");
        assertTrue(PostmasterPidFile.read(dir).isEmpty(), "a server still writing it names nobody yet");
    }

    @Test
    void aRestoredDataDirectoryThatOthersCanReadIsMadePrivate() throws Exception {
        Files.writeString(dir.resolve("PG_VERSION"), "17\n");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertTrue(DataDirectoryPermissions.makePrivate(dir));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertFalse(DataDirectoryPermissions.makePrivate(dir), "already private");
        Path fresh = Files.createDirectory(dir.resolve("new"));
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertFalse(DataDirectoryPermissions.makePrivate(fresh), "a new cluster gets its permissions from initdb");
    }
}
