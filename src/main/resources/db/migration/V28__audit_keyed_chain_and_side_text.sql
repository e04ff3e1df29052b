-- The audit trail, version 2 (docs/privacy.md "The audit trail", docs/key-management.md "The audit key"):
--
-- 1. Free text (an operator's reason, a note, an error message that may echo input) leaves the
--    chained table for audit_text, which erasure can clear. The chained row keeps only a commitment
--    to it, text_ref = SHA-256("consent-recorder audit text v1\n" || nonce || text), with a random
--    16-byte nonce kept beside the text: while the text is there, the verifier checks it against the
--    commitment; once erasure has cleared text and nonce, the commitment reveals nothing (a short text
--    cannot be found by trying candidates without the nonce) and the chain still verifies.
-- 2. Rows are keyed from now on: hash(n) = HMAC-SHA-256(K, hash(n-1) || body(n)), K derived from a KEK
--    of the keyring, which never enters the database (key_id names the KEK). The application writes
--    the first keyed row at its next start ("audit.chain_keyed"), bound to the head of this segment.
-- 3. This migration turns the existing rows into the unkeyed ("legacy") segment of the version-2
--    chain, hash(n) = SHA-256(hash(n-1) || body(n)), after
--      a. verifying the version-1 chain as it stands (a broken chain stops the upgrade: re-chaining
--         would launder the break; see docs/privacy.md for what to do),
--      b. replacing every caller number with the caller's pseudonym (issue: rows written before
--         pseudonyms existed held the number as target and in the search filters),
--      c. moving the free text to audit_text,
--    and records the re-chain in audit_legacy_rechain (old and new head hash), which the keyed row
--    repeats, so a copy of the old head kept elsewhere can still be matched.
--
-- body(n) = "consent-recorder audit v2\n" || int8(seq) || int8(at in epoch ms) || lp(actor_kind) ||
--           lp(actor_id) || lp(actor_name) || lp(action) || lp(target_type) || lp(target_id) ||
--           lp(source_address) || lp(outcome) || lp(detail) || lp(text_ref) || lp(key_id)
-- lp(x) = int4(-1) for null, else int4(byte length) || bytes (text as UTF-8); integers big-endian.
-- The same definition is org.consentrecorder.admin.AuditRow#body; a test checks that they agree.

create function audit_v2_lp(t text) returns bytea immutable language sql as $$
    select case when t is null then int4send(-1)
                else int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') end
$$;

create function audit_v2_lpb(b bytea) returns bytea immutable language sql as $$
    select case when b is null then int4send(-1) else int4send(octet_length(b)) || b end
$$;

create function audit_epoch_ms(t timestamptz) returns bigint immutable language sql as $$
    select floor(extract(epoch from t) * 1000)::bigint
$$;

-- free text beside the chain: one row per audit row that had any
create table audit_text (
    seq         bigint primary key references audit_log (seq),
    -- the pseudonym of the caller the audit row is about, when it is about one: erasure finds it here
    subject     text,
    nonce       bytea check (length(nonce) = 16),
    body        text,
    erased_at   timestamptz,
    -- the erasure request that cleared it
    erased_for  uuid references privacy_request (id),
    check ((body is null) = (nonce is null)),
    check ((body is null) = (erased_at is not null))
);
create index audit_text_subject on audit_text (subject) where body is not null;

-- The application may clear a text for an erasure request, and do nothing else to it: not change it (the
-- commitment would show that anyway), not delete it, not clear it without naming an erasure request.
create function audit_text_only_cleared() returns trigger
language plpgsql as $$
begin
    if tg_op <> 'UPDATE' then
        raise exception 'audit_text rows are never deleted: % rejected', tg_op using errcode = 'P0001';
    end if;
    if old.body is null or new.body is not null or new.nonce is not null or new.erased_at is null
            or new.seq <> old.seq or new.subject is distinct from old.subject
            or not exists (select 1 from privacy_request r where r.id = new.erased_for and r.kind = 'erasure') then
        raise exception 'audit_text may only be cleared, once, for an erasure request' using errcode = 'P0001';
    end if;
    return new;
end;
$$;

create trigger audit_text_clear_only
    before update or delete on audit_text
    for each row execute function audit_text_only_cleared();

create trigger audit_text_no_truncate
    before truncate on audit_text
    for each statement execute function audit_log_append_only();

alter table audit_log add column key_id text;
alter table audit_log add column text_ref bytea check (length(text_ref) = 32);

create table audit_legacy_rechain (
    id                        integer primary key check (id = 1),
    done_at                   timestamptz not null,
    legacy_rows               bigint not null,
    old_head_hash             bytea not null,
    new_head_hash             bytea not null,
    subjects_pseudonymised    integer not null,
    rows_with_text_moved      bigint not null
);

create temp table legacy_subject (
    subject    text primary key,
    pseudonym  text not null
) on commit drop;

do $$
declare
    r           record;
    prev        bytea := decode(repeat('00', 32), 'hex');
    n           bigint := 0;
    head_seq    bigint;
    head_hash   bytea;
    old_head    bytea;
    v1_domain   bytea := convert_to('consent-recorder audit v1' || chr(10), 'UTF8');
    v2_domain   bytea := convert_to('consent-recorder audit v2' || chr(10), 'UTF8');
    text_domain bytea := convert_to('consent-recorder audit text v1' || chr(10), 'UTF8');
    mapped      integer;
    moved       bigint;
    h           bytea;
begin
    -- a. the version-1 chain, verified as it stands
    for r in select * from audit_log order by seq loop
        n := n + 1;
        if r.seq <> n then
            raise exception 'audit chain broken before the upgrade: row % is missing; not migrated (docs/privacy.md)', n;
        end if;
        if r.prev_hash <> prev then
            raise exception 'audit chain broken before the upgrade at seq %: prev_hash does not match; not migrated (docs/privacy.md)', n;
        end if;
        h := sha256(prev || v1_domain || int8send(r.seq) || int8send(audit_epoch_ms(r.at))
                || audit_v2_lp(r.actor_kind) || audit_v2_lp(r.actor_id) || audit_v2_lp(r.actor_name)
                || audit_v2_lp(r.action) || audit_v2_lp(r.target_type) || audit_v2_lp(r.target_id)
                || audit_v2_lp(r.reason) || audit_v2_lp(r.source_address) || audit_v2_lp(r.outcome)
                || audit_v2_lp(r.detail));
        if h <> r.hash then
            raise exception 'audit chain broken before the upgrade at seq %: content does not match its hash; not migrated (docs/privacy.md)', n;
        end if;
        prev := r.hash;
    end loop;
    select seq, hash into head_seq, head_hash from audit_chain_head where id = 1;
    if head_seq <> n or head_hash <> prev then
        raise exception 'audit chain broken before the upgrade: the head (seq %) does not point at the last row (seq %); not migrated (docs/privacy.md)', head_seq, n;
    end if;
    old_head := prev;

    -- b. caller numbers -> pseudonyms. A number is found as the target of a row about a subject and as
    --    the "caller" of search filters; every number found is then also replaced wherever else it
    --    occurs in the row's text. A number the database still knows gets (or keeps) its linked
    --    pseudonym; a number nothing else is left about (an erased caller) gets a fresh pseudonym that
    --    is linked to nothing, so the migration does not bring an erased number back.
    insert into legacy_subject (subject, pseudonym)
    select s, coalesce(
               (select p.pseudonym from subject_pseudonym p where p.subject = s),
               'subj-' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)
                       || substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
    from (select target_id as s from audit_log
          where target_type = 'subject' and target_id is not null and target_id not like 'subj-%'
          union
          select detail::jsonb ->> 'caller' from audit_log
          where detail is not null and detail::jsonb ? 'caller'
            and jsonb_typeof(detail::jsonb -> 'caller') = 'string'
            and detail::jsonb ->> 'caller' not like 'subj-%') found
    where s is not null and s <> '';
    get diagnostics mapped = row_count;

    insert into subject_pseudonym (subject, pseudonym)
    select l.subject, l.pseudonym from legacy_subject l
    where not exists (select 1 from subject_pseudonym p where p.subject = l.subject)
      and (exists (select 1 from call c where c.caller_subject = l.subject)
        or exists (select 1 from consent_decision d where d.caller_subject = l.subject or d.caller_number = l.subject)
        or exists (select 1 from subject_preference sp where sp.subject = l.subject)
        or exists (select 1 from privacy_request q where q.subject = l.subject)
        or exists (select 1 from legal_hold lh where lh.subject = l.subject));

    alter table audit_log disable trigger audit_log_no_update_delete;
    alter table audit_chain_head disable trigger audit_chain_head_forward;

    update audit_log a set target_id = l.pseudonym
    from legacy_subject l where a.target_id = l.subject;

    -- replace() on the text is exact for every JSON string value and for free text alike
    for r in select a.seq, a.detail, a.reason from audit_log a
             where exists (select 1 from legacy_subject l
                           where strpos(coalesce(a.detail, ''), l.subject) > 0
                              or strpos(coalesce(a.reason, ''), l.subject) > 0) loop
        declare
            d text := r.detail;
            t text := r.reason;
            l record;
        begin
            -- longest first, so that a number that is a prefix of another is not replaced inside it
            for l in select subject, pseudonym from legacy_subject order by length(subject) desc loop
                d := replace(d, l.subject, l.pseudonym);
                t := replace(t, l.subject, l.pseudonym);
            end loop;
            update audit_log set detail = d, reason = t where seq = r.seq;
        end;
    end loop;

    -- c. free text -> audit_text, committed to by text_ref
    insert into audit_text (seq, subject, nonce, body)
    select a.seq,
           case when a.target_type = 'subject' then a.target_id
                when a.detail is not null and (a.detail::jsonb ->> 'caller') like 'subj-%' then a.detail::jsonb ->> 'caller'
           end,
           decode(replace(gen_random_uuid()::text, '-', ''), 'hex'),
           jsonb_strip_nulls(jsonb_build_object('reason', a.reason,
                   'note', case when a.detail is null then null else a.detail::jsonb -> 'note' end,
                   'message', case when a.detail is null then null else a.detail::jsonb -> 'message' end))::text
    from audit_log a
    where a.reason is not null
       or (a.detail is not null and (a.detail::jsonb ? 'note' or a.detail::jsonb ? 'message'));
    get diagnostics moved = row_count;

    update audit_log a set text_ref = sha256(text_domain || t.nonce || convert_to(t.body, 'UTF8')),
           reason = null,
           detail = case when a.detail is null then null
                         when (a.detail::jsonb - 'note' - 'message') = '{}'::jsonb then null
                         else (a.detail::jsonb - 'note' - 'message')::text end
    from audit_text t where t.seq = a.seq;

    -- d. the legacy segment of the version-2 chain
    prev := decode(repeat('00', 32), 'hex');
    for r in select * from audit_log order by seq loop
        h := sha256(prev || v2_domain || int8send(r.seq) || int8send(audit_epoch_ms(r.at))
                || audit_v2_lp(r.actor_kind) || audit_v2_lp(r.actor_id) || audit_v2_lp(r.actor_name)
                || audit_v2_lp(r.action) || audit_v2_lp(r.target_type) || audit_v2_lp(r.target_id)
                || audit_v2_lp(r.source_address) || audit_v2_lp(r.outcome) || audit_v2_lp(r.detail)
                || audit_v2_lpb(r.text_ref) || audit_v2_lp(r.key_id));
        update audit_log set prev_hash = prev, hash = h where seq = r.seq;
        prev := h;
    end loop;
    update audit_chain_head set hash = prev where id = 1;

    alter table audit_log enable trigger audit_log_no_update_delete;
    alter table audit_chain_head enable trigger audit_chain_head_forward;

    if n > 0 then
        insert into audit_legacy_rechain (id, done_at, legacy_rows, old_head_hash, new_head_hash,
                                          subjects_pseudonymised, rows_with_text_moved)
        values (1, clock_timestamp(), n, old_head, prev, mapped, moved);
    end if;

    -- every row after the legacy segment is keyed; free text never again in the chained table
    execute format('alter table audit_log add constraint audit_log_keyed_after_legacy check (key_id is not null or seq <= %s)', n);
end;
$$;

alter table audit_log drop column reason;

drop function audit_v2_lp(text);
drop function audit_v2_lpb(bytea);
drop function audit_epoch_ms(timestamptz);
