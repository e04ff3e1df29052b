package org.consentrecorder.call;

import java.time.Instant;

/**
 * What a call knows about its caller from StasisStart on, set once: the channel as it was then,
 * the notice set chosen for it, and the caller's subject key (the normalized number, or null
 * when the number is withheld). Personal data: never printed by {@code toString()}.
 */
public record CallFacts(ChannelSnapshot channel, String asteriskId, NoticeSet notice, String subject,
                        Instant startedAt) {

    @Override
    public String toString() {
        return "CallFacts[" + channel + ", notice " + notice.id() + ", started " + startedAt + "]";
    }
}
