-- Restriction of processing (GDPR Art. 18) on one call or on everything about a caller: the data is
-- kept (storage is allowed), but playback and export are refused unless compliance states that it is
-- for the establishment, exercise or defence of legal claims (Art. 18(2)). Unlike a legal hold it
-- does not suspend retention. Restrictions are lifted with a reason (Art. 18(3)), never deleted.
create table restriction (
    id           uuid primary key,
    scope        text not null check (scope in ('call', 'subject')),
    call_id      uuid,
    subject      text,
    reason       text not null,
    placed_by    text not null,
    placed_at    timestamptz not null,
    lifted_by    text,
    lifted_at    timestamptz,
    lift_reason  text,
    check ((scope = 'call' and call_id is not null and subject is null)
        or (scope = 'subject' and subject is not null and call_id is null)),
    check ((lifted_at is null) = (lifted_by is null) and (lifted_at is null) = (lift_reason is null))
);
create index restriction_active_call on restriction (call_id) where lifted_at is null;
create index restriction_active_subject on restriction (subject) where lifted_at is null;
