package org.consentrecorder.archive;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * What playback and export need of the archive. An interface so the admin API's own tests can
 * plug in an archive in memory; production decrypts through {@link EncryptedArchive}.
 */
public interface RecordingArchive {
    /** Metadata of an archived recording, empty when unknown. */
    Future<Optional<ArchivedRecording>> find(UUID recordingId);

    /**
     * Decrypted audio bytes [offset, offset+length) of an archived (state verified or archived)
     * recording, streamed; the stream fails (exceptionHandler) if authentication fails.
     */
    Future<ReadStream<Buffer>> open(UUID recordingId, long offset, long length);

    /**
     * {@code state} is the wire name of an {@link ArchiveState}; {@code format} is what Asterisk
     * recorded in. {@code codec} and {@code codecParameters} say what the stored bytes are
     * ({@code EncodingParameters.toText()}; both null for a file stored as Asterisk wrote it) and
     * {@code sourceFrames} the exact duration of the source (null when it was not read as audio).
     */
    record ArchivedRecording(UUID id, UUID callId, String format, String state, long plaintextBytes,
                             Integer durationSeconds, Instant finishedAt, String codec, String codecParameters,
                             Long sourceFrames) {

        /** A recording stored as Asterisk wrote it. */
        public ArchivedRecording(UUID id, UUID callId, String format, String state, long plaintextBytes,
                                 Integer durationSeconds, Instant finishedAt) {
            this(id, callId, format, state, plaintextBytes, durationSeconds, finishedAt, null, null, null);
        }

        /** Whether the archive holds a verified copy to play ({@link ArchiveState#playable()}). */
        public boolean playable() {
            return ArchiveState.fromWire(state).playable();
        }
    }
}
