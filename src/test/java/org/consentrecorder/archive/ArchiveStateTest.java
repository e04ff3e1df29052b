package org.consentrecorder.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.consentrecorder.store.DatabaseServer;
import org.consentrecorder.store.Migrations;
import org.consentrecorder.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** The one list of archive states, and that it says what the database allows. */
class ArchiveStateTest {

    @Test
    void everyStateHasOneWireNameThatReadsBack() {
        for (ArchiveState s : ArchiveState.values()) {
            assertEquals(s, ArchiveState.fromWire(s.wire()));
        }
        assertEquals("verified", ArchiveState.VERIFIED.wire());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchiveState.fromWire("Verified"));
        assertTrue(e.getMessage().contains("Verified"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ArchiveState.fromWire(null));
    }

    @Test
    void theQuestionsAboutStatesAreAnsweredInOnePlace() {
        assertEquals(EnumSet.of(ArchiveState.FINISHED, ArchiveState.STORED, ArchiveState.VERIFIED),
                EnumSet.copyOf(Arrays.stream(ArchiveState.values()).filter(ArchiveState::inProgress).toList()));
        assertEquals("('finished', 'stored', 'verified')", ArchiveState.IN_PROGRESS_SQL);
        assertEquals(EnumSet.of(ArchiveState.VERIFIED, ArchiveState.ARCHIVED),
                EnumSet.copyOf(Arrays.stream(ArchiveState.values()).filter(ArchiveState::playable).toList()));
        for (ArchiveState s : ArchiveState.values()) {
            assertFalse(s.inProgress() && s.asteriskCopyMustGo(), s + ": the pipeline's file is never deleted behind its back");
        }
        assertFalse(ArchiveState.LOST.asteriskCopyMustGo(), "a lost file was already gone");
        assertTrue(ArchiveState.ERASED.asteriskCopyMustGo());
        assertTrue(ArchiveState.EXPIRED.asteriskCopyMustGo());
    }

    @Test
    void theEnumAndTheDatabaseCheckConstraintNameTheSameStates() throws Exception {
        DatabaseServer db = TestDatabase.fresh();
        Migrations.migrate(db);
        String definition;
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             ResultSet r = c.createStatement().executeQuery("select pg_get_constraintdef(oid) from pg_constraint "
                     + "where conname = 'recording_state_check'")) {
            assertTrue(r.next(), "the constraint exists");
            definition = r.getString(1);
        }
        Set<String> allowed = new TreeSet<>();
        Matcher m = Pattern.compile("'([a-z_]+)'").matcher(definition);
        while (m.find()) {
            allowed.add(m.group(1));
        }
        assertEquals(Arrays.stream(ArchiveState.values()).map(ArchiveState::wire).collect(Collectors.toCollection(TreeSet::new)),
                allowed, definition);
    }
}
