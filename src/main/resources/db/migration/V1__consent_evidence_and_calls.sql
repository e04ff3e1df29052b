-- Consent evidence, per-call state and the pause timeline.
-- Timestamps are UTC (timestamptz); the application writes them with millisecond precision.

-- The words a caller heard, once per version. Evidence rows point here.
create table notice_version (
    version      text primary key,
    notice_set   text not null,
    language     text not null,
    notice_text  text not null,
    sound_uris   text[] not null,
    first_seen   timestamptz not null default now()
);

-- One row per consent decision. Append-only: the application never updates or deletes a row.
-- Only the privacy functions (erasure, retention) may redact, inside a transaction that sets
-- consent_recorder.redaction = 'on'; anything else is rejected by the trigger below.
create table consent_decision (
    id                 uuid primary key,
    call_id            uuid not null,
    supersedes         uuid references consent_decision (id),
    channel_id         text not null,
    linked_id          text,
    caller_number      text,
    caller_name        text,
    caller_subject     text,
    dialled_number     text,
    notice_started_at  timestamptz,
    notice_completed   boolean not null,
    decided_at         timestamptz not null,
    notice_set         text not null,
    language           text not null,
    notice_version     text not null references notice_version (version),
    sound_uris         text[] not null,
    keys_pressed       text not null,
    attempts           integer not null,
    outcome            text not null check (outcome in
        ('granted', 'declined', 'opted_out', 'no_response', 'abandoned', 'do_not_record', 'withdrawn', 'error')),
    lawful_basis       text not null check (lawful_basis in ('consent', 'legitimate_interest')),
    asterisk_id        text,
    decided_by         text not null,
    written_at         timestamptz not null default clock_timestamp()
);
create index consent_decision_subject on consent_decision (caller_subject, decided_at);
create index consent_decision_call on consent_decision (call_id);

create function consent_recorder_append_only() returns trigger
language plpgsql as $$
begin
    if coalesce(current_setting('consent_recorder.redaction', true), '') = 'on' then
        if tg_op = 'DELETE' then
            return old;
        end if;
        return new;
    end if;
    raise exception '% is append-only: % rejected', tg_table_name, tg_op
        using errcode = 'P0001';
end;
$$;

create trigger consent_decision_append_only
    before update or delete on consent_decision
    for each row execute function consent_recorder_append_only();

-- The caller's current preference, by normalized caller number (the data subject).
create table subject_preference (
    subject      text primary key,
    preference   text not null check (preference in ('do_not_record', 'granted')),
    decision_id  uuid,
    source       text not null,
    changed_by   text not null,
    updated_at   timestamptz not null
);

create table subject_preference_history (
    id           bigserial primary key,
    subject      text not null,
    preference   text not null,
    decision_id  uuid,
    source       text not null,
    changed_by   text not null,
    changed_at   timestamptz not null
);
create index subject_preference_history_subject on subject_preference_history (subject, changed_at);

-- Durable per-call state, written as it changes so a restarted application can take over.
create table call (
    id               uuid primary key,
    channel_id       text not null,
    channel_name     text,
    linked_id        text,
    caller_subject   text,
    asterisk_id      text,
    started_at       timestamptz not null,
    phase            text not null,
    outcome          text,
    consent_id       uuid,
    recording_name   text unique,
    snoop_id         text,
    recording_state  text not null,
    paused           boolean not null default false,
    ended_at         timestamptz,
    state_seq        bigint not null,
    updated_at       timestamptz not null default clock_timestamp()
);
create index call_channel on call (channel_id);
create index call_active on call (started_at) where ended_at is null;
create index call_subject on call (caller_subject, started_at);

-- Every change of a live recording: which parts of a call were never recorded, and why.
create table recording_timeline (
    id              bigserial primary key,
    call_id         uuid not null,
    recording_name  text not null,
    change          text not null,
    trigger_kind    text,
    trigger_detail  text,
    offset_ms       bigint not null,
    requested_at    timestamptz,
    accepted_at     timestamptz,
    pause_style     text not null,
    written_at      timestamptz not null default clock_timestamp()
);
create index recording_timeline_call on recording_timeline (call_id, id);
