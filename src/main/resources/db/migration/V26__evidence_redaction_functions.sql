-- Least privilege (issue 19): the application's role has INSERT and SELECT on the consent evidence,
-- never UPDATE or DELETE (store.AppRolePrivileges). The one change evidence allows - erasure and
-- retention removing who a decision was about, keeping the decision itself - is done by these two
-- functions. They run as their owner (the role that ran this migration, the schema owner), change
-- only the identifying columns, and turn consent_recorder.redaction on only around their own update
-- (off again before they return; an error rolls the setting back with the statement), so the
-- append-only trigger lets their update through and nothing else. (A SET clause on the function
-- would be neater, but PostgreSQL lets only a superuser attach a custom setting to a function.) The application may call them (granted by AppRolePrivileges); nobody else may.

create function redact_consent_decisions_for_erasure(p_subject text, p_calls uuid[], p_token text,
                                                     p_at timestamptz, p_held uuid[])
returns integer
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    changed integer;
begin
    if p_subject is null or p_subject = '' or p_token is null or p_token = '' or p_at is null then
        raise exception 'redaction for erasure needs a subject, a token and a time' using errcode = '22023';
    end if;
    perform set_config('consent_recorder.redaction', 'on', true);
    update public.consent_decision
       set caller_number = case when caller_number is null then null else p_token end,
           caller_name = null, caller_subject = p_token, channel_id = p_token, linked_id = null,
           redacted_at = coalesce(redacted_at, p_at), redaction = 'erasure'
     where (caller_subject = p_subject or call_id = any(coalesce(p_calls, '{}')))
       and not (call_id = any(coalesce(p_held, '{}')));
    get diagnostics changed = row_count;
    perform set_config('consent_recorder.redaction', 'off', true);
    return changed;
end;
$$;

create function redact_consent_decisions_for_retention(p_cutoff timestamptz, p_limit integer)
returns integer
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    changed integer;
begin
    if p_cutoff is null or p_limit is null or p_limit < 1 then
        raise exception 'redaction for retention needs a cutoff and a positive batch size' using errcode = '22023';
    end if;
    perform set_config('consent_recorder.redaction', 'on', true);
    update public.consent_decision d
       set caller_number = null, caller_name = null, caller_subject = null, channel_id = 'redacted',
           linked_id = null, redacted_at = clock_timestamp(), redaction = 'retention'
     where d.id in (select e.id from public.consent_decision e
                     where e.redacted_at is null and e.decided_at < p_cutoff
                       and not exists (select 1 from public.legal_hold h where h.released_at is null
                                         and ((h.scope = 'call' and h.call_id = e.call_id)
                                           or (h.scope = 'subject' and h.subject = e.caller_subject)))
                     order by e.decided_at limit p_limit for update skip locked);
    get diagnostics changed = row_count;
    perform set_config('consent_recorder.redaction', 'off', true);
    return changed;
end;
$$;

revoke all on function redact_consent_decisions_for_erasure(text, uuid[], text, timestamptz, uuid[]) from public;
revoke all on function redact_consent_decisions_for_retention(timestamptz, integer) from public;
