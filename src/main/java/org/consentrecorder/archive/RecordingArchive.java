package org.consentrecorder.archive;
public interface RecordingArchive {
    /** Metadata of an archived recording, empty when unknown. */
    io.vertx.core.Future<java.util.Optional<ArchivedRecording>> find(java.util.UUID recordingId);
    /** Decrypted audio bytes [offset, offset+length) of an archived (state verified or archived) recording, streamed; the stream fails (exceptionHandler) if authentication fails. */
    io.vertx.core.Future<io.vertx.core.streams.ReadStream<io.vertx.core.buffer.Buffer>> open(java.util.UUID recordingId, long offset, long length);
    record ArchivedRecording(java.util.UUID id, java.util.UUID callId, String format, String state, long plaintextBytes, Integer durationSeconds, java.time.Instant finishedAt) {}
}
