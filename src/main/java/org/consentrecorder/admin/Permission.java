package org.consentrecorder.admin;

/** What a route needs. Roles grant permissions; anything not granted is denied. */
public enum Permission {
    /** Operator accounts: create, change role, disable, reset password. */
    MANAGE_ACCOUNTS,
    /** Integration API tokens: create, list, revoke. */
    MANAGE_TOKENS,
    /** Retention: run the retention job now. */
    MANAGE_RETENTION,
    /** Archive key rotation (issue 4 adds the routes). */
    ROTATE_KEYS,
    /** Calls, recordings metadata and consent status: search and read. */
    SEARCH,
    /** Decrypted recording audio. */
    PLAYBACK,
    /** Export of a subject's data: the access request's bundle. */
    EXPORT,
    /** Erasure of a subject's data, and its verification. */
    ERASURE,
    /** Record a caller's withdrawal of consent ("do not record") on their behalf. */
    WITHDRAW_CONSENT,
    /** Data-subject requests: register, list, read (overdue ones too). */
    HANDLE_SUBJECT_REQUESTS,
    /**
     * Restrictions of processing (Art. 18): place, lift, list; and playing or exporting restricted data for
     * legal claims, with the reason stated.
     */
    RESTRICT_PROCESSING,
    /** Corrections and supplementary statements (Art. 16): add, amend, list. */
    CORRECT_DATA,
    /** The breach register (Art. 33/34): record, notify, decide on informing callers, trace an account, report. */
    MANAGE_BREACHES,
    /** Legal holds: place, release, list. */
    MANAGE_LEGAL_HOLDS,
    /** The records of processing, the retention policy and the retention runs. */
    READ_PRIVACY_REPORTS,
    /** Anonymous daily statistics (no personal data). */
    READ_STATISTICS,
    /** The audit trail and its verification. */
    READ_AUDIT,
    /** Pause, resume, stop-and-discard on live calls. */
    CONTROL_LIVE_CALLS,
    /**
     * Recordings on Asterisk that belong to no call in the database (the archive's quarantine):
     * list them, and decide to delete or keep each.
     */
    MANAGE_QUARANTINE,
    /** The operations status page ({@code /health/detail}): ARI, database, archive backlog, retention. No personal data. */
    READ_OPERATIONS_STATUS
}
