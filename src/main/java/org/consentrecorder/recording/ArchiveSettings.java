package org.consentrecorder.recording;

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
        Optional<org.consentrecorder.config.Secret> keyringValue) {

    public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;
    public static final int DEFAULT_SEGMENTS_PER_CHUNK = 16;
}
