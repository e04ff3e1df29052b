-- The audit trail of the admin API: who did or read what, when, which record, why, from where,
-- and the outcome. Append-only in the database itself and hash-chained:
--
--   hash(n) = SHA-256( hash(n-1) || canonical(row n) )      hash(0) = 32 zero bytes
--
-- canonical() is defined in org.consentrecorder.admin.AuditEntry (length-prefixed UTF-8 fields in
-- a fixed order). seq is gapless: a writer takes the row lock on audit_chain_head, so writers are
-- serialized and the chain cannot fork. audit_chain_head also lets a verifier notice rows cut off
-- the end of the chain.

create table audit_log (
    seq             bigint primary key check (seq > 0),
    at              timestamptz not null,
    actor_kind      text not null,
    actor_id        text,
    actor_name      text,
    action          text not null,
    target_type     text,
    target_id       text,
    reason          text,
    source_address  text,
    outcome         text not null,
    detail          text,
    prev_hash       bytea not null check (length(prev_hash) = 32),
    hash            bytea not null check (length(hash) = 32)
);
create index audit_log_at on audit_log (at);
create index audit_log_target on audit_log (target_id, seq);
create index audit_log_actor on audit_log (actor_id, seq);

create table audit_chain_head (
    id    integer primary key check (id = 1),
    seq   bigint not null,
    hash  bytea not null check (length(hash) = 32)
);
insert into audit_chain_head (id, seq, hash) values (1, 0, decode(repeat('00', 32), 'hex'));

create function audit_log_append_only() returns trigger
language plpgsql as $$
begin
    raise exception '% is append-only: % rejected', tg_table_name, tg_op
        using errcode = 'P0001';
end;
$$;

create trigger audit_log_no_update_delete
    before update or delete on audit_log
    for each row execute function audit_log_append_only();

create trigger audit_log_no_truncate
    before truncate on audit_log
    for each statement execute function audit_log_append_only();

-- the head only moves forward, one row at a time, in step with audit_log
create function audit_chain_head_forward_only() returns trigger
language plpgsql as $$
begin
    if tg_op <> 'UPDATE' then
        raise exception 'audit_chain_head only moves forward by one: % rejected', tg_op
            using errcode = 'P0001';
    end if;
    if new.seq <> old.seq + 1 then
        raise exception 'audit_chain_head only moves forward by one: % rejected', tg_op
            using errcode = 'P0001';
    end if;
    if not exists (select 1 from audit_log where seq = new.seq and hash = new.hash and prev_hash = old.hash) then
        raise exception 'audit_chain_head must point at the row just appended'
            using errcode = 'P0001';
    end if;
    return new;
end;
$$;

create trigger audit_chain_head_forward
    before update or delete on audit_chain_head
    for each row execute function audit_chain_head_forward_only();

create trigger audit_chain_head_no_truncate
    before truncate on audit_chain_head
    for each statement execute function audit_log_append_only();
