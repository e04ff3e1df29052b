package org.consentrecorder.admin;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.consentrecorder.testing.AppHarness;

/**
 * Rows as the application writes them, but dated in the past: retention is tested with old
 * timestamps instead of waiting.
 */
final class RetentionFixtures {
    private final AppHarness h;
    private final String noticeVersion;

    RetentionFixtures(AppHarness h) {
        this.h = h;
        this.noticeVersion = (String) h.rows("select version from notice_version order by version limit 1").get(0).get("version");
    }

    static OffsetDateTime ago(Duration d) {
        return OffsetDateTime.now(ZoneOffset.UTC).minus(d);
    }

    static OffsetDateTime daysAgo(long days) {
        return ago(Duration.ofDays(days));
    }

    /** An ended call of {@code subject} (null: anonymous) with the given outcome. */
    UUID call(String subject, OffsetDateTime started, Duration handleTime, String outcome) {
        UUID id = UUID.randomUUID();
        h.rows("insert into call (id, channel_id, caller_subject, started_at, phase, outcome, recording_name, "
                        + "recording_state, ended_at, state_seq) values ($1, $2, $3, $4, 'ended', $5, $6, 'ended', $7, 1)",
                id, "ch-" + id, subject == null ? "" : subject, started, outcome == null ? "" : outcome, "cr-" + id,
                handleTime == null ? started : started.plus(handleTime));
        if (subject == null) {
            h.rows("update call set caller_subject = null where id = $1", id);
        }
        if (outcome == null) {
            h.rows("update call set outcome = null where id = $1", id);
        }
        if (handleTime == null) {
            h.rows("update call set ended_at = null where id = $1", id);
        }
        return id;
    }

    UUID decision(UUID callId, String subject, OffsetDateTime at, String outcome) {
        UUID id = UUID.randomUUID();
        h.rows("insert into consent_decision (id, call_id, channel_id, caller_number, caller_subject, notice_completed, "
                        + "decided_at, notice_set, language, notice_version, sound_uris, keys_pressed, attempts, outcome, "
                        + "lawful_basis, decided_by) values ($1, $2, $3, $4, $4, true, $5, 'en', 'en', $6, '{}', '1', 1, $7, "
                        + "'consent', 'caller')",
                id, callId, "ch-" + callId, subject, at, noticeVersion, outcome);
        return id;
    }

    /** A recording row with {@code chunks} ciphertext rows (random bytes: retention never decrypts). */
    UUID recording(UUID callId, String subject, String state, OffsetDateTime finished, int chunks) {
        UUID id = UUID.randomUUID();
        h.rows("insert into recording (id, call_id, name, subject, format, state, finished_at, plaintext_bytes, "
                        + "wrapped_data_key, header, next_attempt_at) values ($1, $2, $3, $4, 'wav', $5, $6, 100, $7, $7, "
                        + "'infinity')",
                id, callId, "cr-" + callId, subject == null ? "" : subject, state, finished, Buffer.buffer(new byte[] {9}));
        if (subject == null) {
            h.rows("update recording set subject = null where id = $1", id);
        }
        for (int i = 0; i < chunks; i++) {
            h.rows("insert into recording_chunk (recording_id, seq, data) values ($1, $2, $3)", id, i,
                    Buffer.buffer(new byte[] {1, 2, 3}));
        }
        return id;
    }

    void timeline(UUID callId, String change, OffsetDateTime at) {
        h.rows("insert into recording_timeline (call_id, recording_name, change, offset_ms, requested_at, accepted_at, "
                + "pause_style) values ($1, $2, $3, 0, $4, $4, 'silence')", callId, "cr-" + callId, change, at);
    }

    void preference(String subject, String preference, OffsetDateTime at) {
        h.rows("insert into subject_preference (subject, preference, source, changed_by, updated_at) "
                + "values ($1, $2, 'call', 'caller', $3)", subject, preference, at);
        h.rows("insert into subject_preference_history (subject, preference, source, changed_by, changed_at) "
                + "values ($1, $2, 'call', 'caller', $3)", subject, preference, at);
    }

    long count(String sql, Object... params) {
        return ((Number) h.rows(sql, params).get(0).values().iterator().next()).longValue();
    }
}
