-- RFC 3161 time-stamp tokens of audit anchors (docs/key-management.md "Audit anchors"). A token is signed by
-- the time-stamping authority over SHA-256("consent-recorder audit anchor v1\n" || int8(seq) || hash):
-- kept in the database it cannot be forged, only deleted, and the anchor file keeps the heads as well.
-- The application inserts and reads; it never updates or deletes.
create table audit_timestamp (
    seq         bigint primary key check (seq > 0),
    hash        bytea not null check (length(hash) = 32),
    token       bytea not null,
    tsa_time    timestamptz not null,
    stored_at   timestamptz not null default clock_timestamp()
);
