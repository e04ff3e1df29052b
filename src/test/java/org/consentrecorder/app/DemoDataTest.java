package org.consentrecorder.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.List;
import org.consentrecorder.crypto.Keyring;
import org.consentrecorder.crypto.KeyringLoader;
import org.consentrecorder.privacy.DemoStatisticsRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoDataTest {
    @TempDir
    Path tmp;

    @Test
    void aNamedDirectoryKeepsItsKeyringAndAccountsForTheNextDemo() throws Exception {
        Path dir = tmp.resolve("demo");
        DemoData first = DemoData.named(dir);
        assertTrue(first.isFresh());
        Path keyringFile = first.ensureKeyring();
        DemoData.Accounts accounts = first.accounts();
        assertTrue(accounts.adminPassword().length() >= 20);
        assertNotEquals(accounts.adminPassword(), accounts.compliancePassword());
        assertFalse(accounts.toString().contains(accounts.adminPassword()), "no password in toString");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyringFile)));
        Keyring keyring = KeyringLoader.load(keyringFile, null);
        assertEquals(DemoData.KEK_ID, keyring.newestId().toString(), "the key is named as a demo key");
        String keyringText = Files.readString(keyringFile);

        DemoData again = DemoData.named(dir);
        assertFalse(again.isFresh());
        again.ensureKeyring();
        assertEquals(keyringText, Files.readString(again.keyring()), "the keyring is kept");
        assertEquals(accounts, again.accounts(), "the passwords are kept");
        again.deleteIfThrowaway();
        assertTrue(Files.exists(dir), "a named directory is never deleted");
    }

    @Test
    void aThrowawayDirectoryIsDeletedWithEverythingInIt() throws Exception {
        DemoData data = DemoData.throwaway();
        try {
            assertTrue(data.isThrowaway() && data.isFresh());
            data.ensureKeyring();
            data.accounts();
            Files.createDirectories(data.database().resolve("base"));
            Files.writeString(data.database().resolve("base").resolve("x"), "x");
        } finally {
            data.deleteIfThrowaway();
        }
        assertFalse(Files.exists(data.root()));
    }

    @Test
    void theHistoryIsAWeekOfPlausibleDaysBeforeToday() {
        LocalDate today = LocalDate.of(2026, 11, 27);
        List<DemoStatisticsRepository.Day> days = DemoHistory.days(today, 7, 1);
        assertEquals(7, days.size());
        assertEquals(today.minusDays(7), days.get(0).day());
        assertEquals(today.minusDays(1), days.get(6).day());
        for (DemoStatisticsRepository.Day d : days) {
            long sum = d.outcomes().values().stream().mapToLong(Long::longValue).sum();
            assertEquals(d.calls(), sum, "outcomes add up: " + d);
            long granted = d.outcomes().get("granted");
            assertTrue(granted > d.calls() / 2, "most callers accept: " + d);
            assertTrue(d.outcomes().get("declined") > 0 && d.outcomes().get("abandoned") > 0, d.toString());
            assertTrue(d.recordedCalls() <= granted && d.pauses() <= d.recordedCalls(), d.toString());
            double averageMinutes = d.totalHandleMs() / (double) d.calls() / 60_000;
            assertTrue(averageMinutes > 1 && averageMinutes < 6, "handle time " + averageMinutes);
            boolean weekend = d.day().getDayOfWeek() == DayOfWeek.SATURDAY || d.day().getDayOfWeek() == DayOfWeek.SUNDAY;
            assertTrue(weekend ? d.calls() < 200 : d.calls() >= 380, d.toString());
        }
    }
}
