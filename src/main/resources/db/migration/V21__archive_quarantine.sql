-- Recordings found on Asterisk that belong to no call in this database (docs/archive.md,
-- "Quarantine"). The usual cause is a database restored from an older backup: every recording made
-- since the backup is then unknown here, consent or not. Such audio is not destroyed on sight: it is
-- kept on Asterisk and listed here until compliance decides, or until the grace period
-- (CR_ARCHIVE_QUARANTINE_GRACE) ends without a decision.
--   held      -> found, kept on Asterisk, waiting for a decision
--   kept      -> compliance decided to keep it on Asterisk; never deleted automatically
--   deleting  -> deletion decided (by a person, or by the grace period), not yet confirmed by Asterisk
--   deleted   -> deleted on Asterisk
--   released  -> its call is in the database again: the archive's reconciliation handles it as usual
create table recording_quarantine (
    name        text primary key,
    call_id     uuid not null,
    format      text not null,
    found_at    timestamptz not null,
    status      text not null check (status in ('held', 'kept', 'deleting', 'deleted', 'released')),
    deleted_at  timestamptz,
    updated_at  timestamptz not null default clock_timestamp()
);
create index recording_quarantine_held on recording_quarantine (found_at) where status = 'held';

-- Every decision about a quarantined recording: who, why, when, and whether the grace period made
-- it. Append-only, like the consent evidence: a decision is never rewritten, only followed by another.
create table recording_quarantine_decision (
    id          bigserial primary key,
    name        text not null references recording_quarantine (name),
    decision    text not null check (decision in ('delete', 'keep')),
    decided_by  text not null,
    reason      text not null,
    automatic   boolean not null,
    decided_at  timestamptz not null
);
create index recording_quarantine_decision_name on recording_quarantine_decision (name, id);

create trigger recording_quarantine_decision_append_only
    before update or delete on recording_quarantine_decision
    for each row execute function consent_recorder_append_only();
