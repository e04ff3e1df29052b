package org.consentrecorder.call;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The consent dialogue's part of the call state (see {@link ConsentDialogue}).
 *
 * @param current the prompt playing now, or null
 * @param invalidAfterStop a wrong key barged in: say "invalid choice" once the prompt has stopped
 * @param keys the keys pressed in the dialogue (evidence); never printed by {@code toString()}
 * @param closingStopPending decided while a prompt played: the call goes on once it has stopped
 *        (Asterisk holds channel commands, continue included, until a playback ends)
 * @param unstopped a prompt whose stop found nothing (404) before Asterisk had started it: the
 *        stop and the play raced, so it is stopped again the moment Asterisk says it started
 */
public record DialogueState(boolean answered, boolean preferenceKnown, boolean doNotRecordOnFile, int playbackSeq,
                            Prompting current, boolean invalidAfterStop, List<String> playedUris,
                            Instant noticeStartedAt, boolean noticeCompleted, int attempts, String keys,
                            boolean closingStopPending, String unstopped) {

    public enum PromptKind { NOTICE, CHOICE, INVALID, NOT_RECORDED }

    /** The prompt playing now. */
    public record Prompting(String playbackId, PromptKind kind) {
    }

    public DialogueState {
        playedUris = List.copyOf(playedUris);
    }

    static DialogueState initial() {
        return new DialogueState(false, false, false, 0, null, false, List.of(), null, false, 0, "", false, null);
    }

    DialogueState afterAnswer() {
        return new DialogueState(true, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState withPreference(boolean doNotRecord) {
        return new DialogueState(answered, true, doNotRecord, playbackSeq, current, invalidAfterStop, playedUris,
                noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState playing(int seq, Prompting p, String uri) {
        List<String> uris = new ArrayList<>(playedUris);
        uris.add(uri);
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, seq, p, invalidAfterStop, uris,
                noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState withCurrent(Prompting p) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, p, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState withInvalidAfterStop(boolean on) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, on, playedUris,
                noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState noticeStarted(Instant at) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, at, noticeCompleted, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState withNoticeCompleted() {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, true, attempts, keys, closingStopPending, unstopped);
    }

    DialogueState withAttempts(int n) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, n, keys, closingStopPending, unstopped);
    }

    DialogueState withKey(char key) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, attempts, keys + key, closingStopPending, unstopped);
    }

    DialogueState withClosingStopPending(boolean pending) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, attempts, keys, pending, unstopped);
    }

    DialogueState withUnstopped(String playbackId) {
        return new DialogueState(answered, preferenceKnown, doNotRecordOnFile, playbackSeq, current, invalidAfterStop,
                playedUris, noticeStartedAt, noticeCompleted, attempts, keys, closingStopPending, playbackId);
    }

    @Override
    public String toString() {
        // the keys are what the caller pressed: never printable
        return "DialogueState[seq " + playbackSeq + ", current " + current + ", attempts " + attempts + ", "
                + keys.length() + " key(s)]";
    }
}
