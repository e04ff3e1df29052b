-- The privacy lifecycle (docs/privacy.md): pseudonyms for audit targets, legal holds, data-subject
-- requests, retention runs and anonymous daily statistics.

-- The audit trail is append-only and hash-chained, so it cannot forget a phone number once written.
-- Audit rows therefore name a subject by a random pseudonym; this table is the only link from the
-- pseudonym to the number. Erasure deletes the link: the audit rows stay intact (and the chain
-- verifiable) but no longer point at anybody.
create table subject_pseudonym (
    subject       text primary key,
    pseudonym     text not null unique,
    created_at    timestamptz not null default clock_timestamp(),
    last_used_at  timestamptz not null default clock_timestamp()
);

-- A legal hold suspends erasure and retention of one call or of everything about one subject.
create table legal_hold (
    id              uuid primary key,
    scope           text not null check (scope in ('call', 'subject')),
    call_id         uuid,
    subject         text,
    reason          text not null,
    placed_by       text not null,
    placed_at       timestamptz not null,
    released_by     text,
    released_at     timestamptz,
    release_reason  text,
    check ((scope = 'call' and call_id is not null and subject is null)
        or (scope = 'subject' and subject is not null and call_id is null)),
    check ((released_at is null) = (released_by is null))
);
create index legal_hold_active_call on legal_hold (call_id) where released_at is null;
create index legal_hold_active_subject on legal_hold (subject) where released_at is null;

-- Data-subject requests (GDPR Art. 15 access, Art. 17 erasure): received, due, who handled them,
-- what was done. subject is replaced by the erasure token once an erasure is complete.
create table privacy_request (
    id             uuid primary key,
    kind           text not null check (kind in ('access', 'erasure')),
    subject        text not null,
    received_at    timestamptz not null,
    due_at         timestamptz not null,
    status         text not null check (status in ('open', 'completed', 'partially_completed')),
    note           text,
    created_by     text not null,
    created_at     timestamptz not null,
    handled_by     text,
    completed_at   timestamptz,
    erasure_token  text,
    attempts       integer not null default 0,
    last_error     text,
    result         jsonb,
    verification   jsonb
);
create index privacy_request_due on privacy_request (due_at) where status = 'open';
create index privacy_request_subject on privacy_request (subject);

-- One row per run of the retention job, by whichever instance ran it.
create table retention_run (
    id           uuid primary key,
    instance_id  text not null,
    trigger      text not null,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    status       text not null check (status in ('running', 'completed', 'failed')),
    counts       jsonb not null default '{}'::jsonb,
    error        text
);
create index retention_run_started on retention_run (started_at desc);

-- Anonymous daily aggregates (UTC days), computed once per closed day, before anything of that day
-- may be deleted. No identifiers: reporting never needs personal data.
create table daily_call_stats (
    day                     date primary key,
    calls                   integer not null,
    outcomes                jsonb not null,
    recorded_calls          integer not null,
    pauses                  integer not null,
    calls_with_handle_time  integer not null,
    total_handle_ms         bigint not null,
    avg_handle_ms           bigint,
    computed_at             timestamptz not null
);

-- Recordings removed by an erasure request ('erased') or by retention ('expired') stay as
-- tombstones without key material or ciphertext, so that a copy still found on Asterisk is deleted
-- and never archived again, and the admin API can say what happened to them.
alter table recording drop constraint recording_state_check;
alter table recording add constraint recording_state_check check (state in
    ('finished', 'stored', 'verified', 'archived', 'discarded', 'rejected', 'lost', 'erased', 'expired'));
alter table recording add column removed_at timestamptz;
create index recording_expiry on recording (finished_at) where state = 'archived';

-- Evidence rows keep the fact of the decision after their identifiers were redacted.
alter table consent_decision add column redacted_at timestamptz;
alter table consent_decision add column redaction text check (redaction in ('erasure', 'retention'));
create index consent_decision_expiry on consent_decision (decided_at) where redacted_at is null;

create index call_started on call (started_at);
create index subject_preference_history_changed on subject_preference_history (changed_at);
