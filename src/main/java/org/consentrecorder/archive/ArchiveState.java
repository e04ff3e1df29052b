package org.consentrecorder.archive;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a recording stands in the archive, as stored in {@code recording.state}. One enum instead
 * of string literals scattered over the tree, so a state cannot be misspelt and every question
 * about states ("is the audio still on Asterisk?", "may it be played?") is answered in one place.
 * The wire name is what the database and the admin API carry; docs/archive.md describes each.
 */
public enum ArchiveState {
    /** Asterisk reported the recording finished; the file is on Asterisk only. */
    FINISHED,
    /** The encrypted copy is written, not yet trusted. */
    STORED,
    /** The encrypted copy read back and matched; Asterisk's file not deleted yet. */
    VERIFIED,
    /** Asterisk's file deleted; the archive holds the only copy. */
    ARCHIVED,
    /** Consent was withdrawn: never archived, Asterisk's copy deleted. */
    DISCARDED,
    /** Found on Asterisk for a known call without consent behind it: deleted, an incident written. */
    REJECTED,
    /** Asterisk no longer had the file before a copy was verified: an incident written. */
    LOST,
    /** Taken by an erasure request: no ciphertext, no key material. */
    ERASED,
    /** Its retention period ended: no ciphertext, no key material. */
    EXPIRED;

    /** The states the pipeline still works on (a step is due); the file is still on Asterisk. */
    public static final Set<ArchiveState> IN_PROGRESS = Collections.unmodifiableSet(EnumSet.of(FINISHED, STORED, VERIFIED));

    /** The states whose archived copy can be played ({@link #playable()}), as an SQL list. */
    public static final String PLAYABLE_SQL = sqlList(EnumSet.of(VERIFIED, ARCHIVED));

    /** {@link #IN_PROGRESS} as an SQL list of literals, for queries a partial index must match. */
    static final String IN_PROGRESS_SQL = sqlList(IN_PROGRESS);

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state of a database or API value; an unknown name is a programming error and throws. */
    public static ArchiveState fromWire(String wire) {
        for (ArchiveState s : values()) {
            if (s.wire().equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown archive state '" + wire + "'; known: "
                + Arrays.stream(values()).map(ArchiveState::wire).collect(Collectors.joining(", ")));
    }

    public boolean inProgress() {
        return IN_PROGRESS.contains(this);
    }

    /** Whether the archive holds a verified copy that can be decrypted and played. */
    public boolean playable() {
        return this == VERIFIED || this == ARCHIVED;
    }

    /**
     * Whether a copy of this recording still found on Asterisk must be deleted there: the archive
     * has the verified copy, or the audio must not exist any more. {@link #LOST} is not among them:
     * its file was already gone when the pipeline looked.
     */
    public boolean asteriskCopyMustGo() {
        return this == ARCHIVED || this == DISCARDED || this == REJECTED || this == ERASED || this == EXPIRED;
    }

    /** States as an SQL list of literals, e.g. {@code ('verified', 'archived')}: fixed words, never input. */
    public static String sqlList(Set<ArchiveState> states) {
        return states.stream().map(s -> "'" + s.wire() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
