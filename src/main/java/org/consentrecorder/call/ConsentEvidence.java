package org.consentrecorder.call;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One consent decision as it is proven later: who was asked, what they heard, what they pressed,
 * when, and what was decided under which lawful basis. Append-only once written.
 */
public record ConsentEvidence(
        UUID id,
        UUID callId,
        UUID supersedes,
        String channelId,
        String linkedId,
        String callerNumber,
        String callerName,
        String callerSubject,
        String dialledNumber,
        Instant noticeStartedAt,
        boolean noticeCompleted,
        Instant decidedAt,
        String noticeSetId,
        String language,
        String noticeVersion,
        String noticeText,
        List<String> soundUris,
        String keysPressed,
        int attempts,
        Outcome outcome,
        LawfulBasis lawfulBasis,
        String asteriskId,
        String decidedBy) {

    public ConsentEvidence {
        soundUris = List.copyOf(soundUris);
    }

    @Override
    public String toString() {
        // caller number, name, subject and keys are personal data: never printable
        return "ConsentEvidence[" + id + ", call " + callId + ", " + outcome.wire() + "]";
    }
}
