-- The encrypted archive of finished recordings (format: docs/encryption-format.md).
--
-- A recording moves through a durable state machine; every step is idempotent and resumable,
-- and Asterisk keeps its copy until the encrypted copy here is verified:
--   finished  -> Asterisk reported RecordingFinished; the file is on Asterisk only
--   stored    -> every ciphertext chunk and the key material are written here
--   verified  -> read back, authenticated, and its plaintext SHA-256 matches the one computed
--                while fetching
--   archived  -> deleted from Asterisk; this is the only copy
-- and the terminal states
--   discarded -> the caller withdrew consent: never archived, deleted from Asterisk
--   rejected  -> found on Asterisk without consent behind it: deleted there, logged as incident
--   lost      -> Asterisk no longer has the file and we never verified a copy: logged as incident
create table recording (
    id                uuid primary key,
    call_id           uuid not null unique,
    name              text not null unique,
    consent_id        uuid,
    subject           text,
    format            text not null,
    state             text not null check (state in
        ('finished', 'stored', 'verified', 'archived', 'discarded', 'rejected', 'lost')),
    duration_seconds  integer,
    duration_ms       bigint,
    plaintext_bytes   bigint,
    ciphertext_bytes  bigint,
    plaintext_sha256  bytea,
    format_version    integer,
    segment_size      integer,
    chunk_count       integer,
    segments_per_chunk integer,
    header            bytea,
    subject_key_id    text,
    wrapped_data_key  bytea,
    finished_at       timestamptz not null,
    archived_at       timestamptz,
    attempts          integer not null default 0,
    last_error        text,
    next_attempt_at   timestamptz not null default now(),
    updated_at        timestamptz not null default clock_timestamp()
);
create index recording_pending on recording (next_attempt_at) where state in ('finished', 'stored', 'verified');
create index recording_subject on recording (subject);

-- Ciphertext in ordered chunks, one STREAM segment (or a few) per row. bytea rather than large
-- objects: vertx-pg-client has no large-object API, rows are deleted with the recording, and
-- SET STORAGE EXTERNAL skips compression that ciphertext does not need (docs/encryption-format.md).
create table recording_chunk (
    recording_id  uuid not null references recording (id) on delete cascade,
    seq           integer not null,
    data          bytea not null,
    primary key (recording_id, seq)
);
alter table recording_chunk alter column data set storage external;

-- Things an operator must look at: unconsented audio found and deleted, recordings lost.
create table incident (
    id          bigserial primary key,
    kind        text not null,
    subject_ref text,
    detail      text not null,
    created_at  timestamptz not null default clock_timestamp()
);
