-- Rectification (GDPR Art. 16): a correction ("this call was attributed to the wrong number") or a
-- supplementary statement attached to one call (and its recording) or to everything about a caller.
-- The recorded evidence itself is never rewritten; the statement travels with it (call view, export).
-- Append-only: amending a statement adds a row that supersedes the earlier one, so the history stays.
create table correction (
    id          uuid primary key,
    scope       text not null check (scope in ('call', 'subject')),
    call_id     uuid,
    subject     text,
    kind        text not null check (kind in ('correction', 'supplement')),
    statement   text not null,
    supersedes  uuid references correction (id),
    created_by  text not null,
    created_at  timestamptz not null,
    check ((scope = 'call' and call_id is not null and subject is null)
        or (scope = 'subject' and subject is not null and call_id is null))
);
-- a statement is superseded at most once: its history is a line, not a tree
create unique index correction_superseded_once on correction (supersedes) where supersedes is not null;
create index correction_call on correction (call_id);
create index correction_subject on correction (subject);

-- Breach register (GDPR Art. 33/34): every suspected personal-data breach, whether or not it is
-- notified: when it was discovered (the 72-hour clock to the supervisory authority starts then), what
-- data and how many callers and recordings, the risk assessment, the notification (when, reference,
-- reasons for a delay) and the decision on informing the callers. Changes are audited by the API.
create table breach (
    id                         uuid primary key,
    title                      text not null,
    discovered_at              timestamptz not null,
    occurred_from              timestamptz,
    occurred_to                timestamptz,
    description                text not null,
    data_affected              text not null,
    callers_affected           integer check (callers_affected >= 0),
    recordings_affected        integer check (recordings_affected >= 0),
    risk                       text not null check (risk in ('unlikely', 'risk', 'high_risk')),
    risk_assessment            text not null,
    compromised_account        text,
    authority_notified_at      timestamptz,
    authority_reference        text,
    notification_delay_reason  text,
    callers_decision           text not null default 'pending'
                               check (callers_decision in ('pending', 'inform', 'not_required')),
    callers_decision_reason    text,
    callers_informed_at        timestamptz,
    recorded_by                text not null,
    recorded_at                timestamptz not null,
    updated_at                 timestamptz not null,
    check (occurred_to is null or occurred_from is null or occurred_to >= occurred_from),
    check ((authority_notified_at is null) = (authority_reference is null))
);
create index breach_unnotified on breach (discovered_at) where authority_notified_at is null;
