package org.consentrecorder.call;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * Where a consented recording goes once Asterisk has finished writing it (the encrypted archive). A stereo
 * call hands over both legs at once: outRecordingName is its second leg (null for mono), outOffsetMillis how
 * much later that leg started (null when not known).
 */
@FunctionalInterface
public interface FinishedRecordings {
    FinishedRecordings NONE = (callId, name, outName, outOffset, consentId, subject, duration) -> Future.succeededFuture();

    Future<?> recordingFinished(UUID callId, String recordingName, String outRecordingName, Long outOffsetMillis,
                                UUID consentId, String subject, Integer durationSeconds);
}
