package org.consentrecorder.archive;

import org.consentrecorder.audio.Codec;
import org.consentrecorder.audio.CodecSettings;
import org.consentrecorder.config.ConfigReader;
import org.consentrecorder.config.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How finished recordings are archived. A chunk row holds {@code segmentsPerChunk} whole STREAM
 * segments, so a Range read fetches only the rows it needs (docs/encryption-format.md, "Storage").
 */
public record ArchiveSettings(
        int segmentSize,
        int segmentsPerChunk,
        int concurrency,
        Duration lease,
        Duration retryMin,
        Duration retryMax,
        Duration pollInterval,
        Duration reconcileInterval,
        Path keyStoreDirectory,
        Optional<Path> keyringFile,
        Optional<org.consentrecorder.config.Secret> keyringValue,
        Duration quarantineGrace,
        CodecSettings codec) {

    public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;
    public static final int DEFAULT_SEGMENTS_PER_CHUNK = 16;
    public static final String KEYRING = "CR_KEYRING";
    public static final String KEYRING_FILE = "CR_KEYRING_FILE";
    public static final String KEYSTORE_DIR = "CR_KEYSTORE_DIR";
    public static final String ARCHIVE_SEGMENT_SIZE = "CR_ARCHIVE_SEGMENT_SIZE";
    public static final String ARCHIVE_SEGMENTS_PER_CHUNK = "CR_ARCHIVE_SEGMENTS_PER_CHUNK";
    public static final String ARCHIVE_CONCURRENCY = "CR_ARCHIVE_CONCURRENCY";
    public static final String ARCHIVE_LEASE = "CR_ARCHIVE_LEASE";
    public static final String ARCHIVE_RETRY_MIN = "CR_ARCHIVE_RETRY_MIN";
    public static final String ARCHIVE_RETRY_MAX = "CR_ARCHIVE_RETRY_MAX";
    public static final String ARCHIVE_POLL = "CR_ARCHIVE_POLL";
    public static final String ARCHIVE_RECONCILE = "CR_ARCHIVE_RECONCILE";
    /** How long a recording of no known call stays quarantined before it is deleted; 0 = never (RecordingQuarantine). */
    public static final String ARCHIVE_QUARANTINE_GRACE = "CR_ARCHIVE_QUARANTINE_GRACE";
    public static final Duration DEFAULT_QUARANTINE_GRACE = Duration.ofDays(30);
    /** What a recording is stored as: opus (default), alaw or wav (docs/audio-codecs.md). */
    public static final String ARCHIVE_CODEC = "CR_ARCHIVE_CODEC";

    /** Reads the CR_ARCHIVE_*, CR_KEYRING* and CR_KEYSTORE_DIR keys; problems are collected in the reader. */
    public static ArchiveSettings load(ConfigReader r) {
        int segmentSize = r.integer(ARCHIVE_SEGMENT_SIZE, ArchiveSettings.DEFAULT_SEGMENT_SIZE, 4096, 4 * 1024 * 1024);
        int perChunk = r.integer(ARCHIVE_SEGMENTS_PER_CHUNK, ArchiveSettings.DEFAULT_SEGMENTS_PER_CHUNK, 1, 256);
        if ((long) segmentSize * perChunk > 64L * 1024 * 1024) {
            r.problem(ARCHIVE_SEGMENTS_PER_CHUNK, "a chunk row would exceed 64 MiB; use fewer segments per chunk");
        }
        Duration retryMin = r.duration(ARCHIVE_RETRY_MIN, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofHours(1));
        Duration retryMax = r.duration(ARCHIVE_RETRY_MAX, Duration.ofMinutes(5), Duration.ofMillis(10), Duration.ofDays(1));
        if (retryMax.compareTo(retryMin) < 0) {
            r.problem(ARCHIVE_RETRY_MAX, "must not be shorter than " + ARCHIVE_RETRY_MIN);
        }
        CodecSettings codec = codec(r);
        Optional<Secret> keyringValue = r.optional(KEYRING).map(Secret::of);
        Optional<java.nio.file.Path> keyringFile = r.optional(KEYRING_FILE).map(java.nio.file.Path::of);
        return new ArchiveSettings(segmentSize, perChunk,
                r.integer(ARCHIVE_CONCURRENCY, 2, 1, 32),
                r.duration(ARCHIVE_LEASE, Duration.ofMinutes(2), Duration.ofMillis(100), Duration.ofHours(6)),
                retryMin, retryMax,
                r.duration(ARCHIVE_POLL, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(10)),
                r.duration(ARCHIVE_RECONCILE, Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofDays(1)),
                Path.of(r.string(KEYSTORE_DIR, "data/keys")),
                keyringFile, keyringValue,
                r.duration(ARCHIVE_QUARANTINE_GRACE, DEFAULT_QUARANTINE_GRACE, Duration.ZERO, Duration.ofDays(3650)),
                codec);
    }

    /** A value that names no codec is a problem under its key; nothing is stored until it is fixed. */
    private static CodecSettings codec(ConfigReader r) {
        String value = r.string(ARCHIVE_CODEC, Codec.DEFAULT.setting());
        try {
            return CodecSettings.of(Codec.fromSetting(value));
        } catch (IllegalArgumentException e) {
            r.problem(ARCHIVE_CODEC, e.getMessage());
            return CodecSettings.defaults();
        }
    }
}
