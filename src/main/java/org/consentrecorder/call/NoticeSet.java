package org.consentrecorder.call;

import java.util.List;
import java.util.Set;

/**
 * The prompts one group of callers hears (typically one language), with the version that the
 * evidence points to. The version changes whenever the wording changes.
 */
public record NoticeSet(
        String id,
        String language,
        String version,
        Prompt notice,
        Prompt choice,
        Prompt invalidChoice,
        Prompt notRecorded,
        Set<String> dialledNumbers) {

    public NoticeSet {
        dialledNumbers = Set.copyOf(dialledNumbers);
    }

    /** The words of the notice as the caller hears them, notice then choice. */
    public String informedText() {
        return notice.text() + "\n" + choice.text();
    }

    /** The version under which the "you will not be recorded" words are stored. */
    public String notRecordedVersion() {
        return version + "-not-recorded";
    }

    public List<String> informedUris() {
        return List.of(notice.uri(), choice.uri());
    }
}
