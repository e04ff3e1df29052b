package org.consentrecorder.admin;

/** What a route needs. Roles grant permissions; anything not granted is denied. */
public enum Permission {
    /** Operator accounts: create, change role, disable, reset password. */
    MANAGE_ACCOUNTS,
    /** Integration API tokens: create, list, revoke. */
    MANAGE_TOKENS,
    /** Retention settings (issue 6 adds the routes). */
    MANAGE_RETENTION,
    /** Archive key rotation (issue 4 adds the routes). */
    ROTATE_KEYS,
    /** Calls, recordings metadata and consent status: search and read. */
    SEARCH,
    /** Decrypted recording audio. */
    PLAYBACK,
    /** Export of a subject's data (issue 6 adds the routes). */
    EXPORT,
    /** Erasure of a subject's data (issue 6 adds the routes). */
    ERASURE,
    /** The audit trail and its verification. */
    READ_AUDIT,
    /** Pause, resume, stop-and-discard on live calls. */
    CONTROL_LIVE_CALLS
}
