package org.consentrecorder.call;

import io.vertx.core.Future;
import java.util.UUID;

/** Where a consented recording goes once Asterisk has finished writing it (the encrypted archive). */
@FunctionalInterface
public interface FinishedRecordings {
    FinishedRecordings NONE = (callId, name, consentId, subject, duration) -> Future.succeededFuture();

    Future<?> recordingFinished(UUID callId, String recordingName, UUID consentId, String subject, Integer durationSeconds);
}
