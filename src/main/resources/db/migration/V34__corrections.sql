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
