-- Separated duties (issue 19): an admin cannot give itself, another account or an API token a role
-- that reads callers' data without a second admin; temporary passwords must be changed at first
-- sign-in; API tokens always expire.

-- An admin-set password is temporary: the account must set its own at its next sign-in, before
-- password_expires_at (after which only an admin's new reset lets it in).
alter table operator_account add column must_change_password boolean not null default false;
alter table operator_account add column password_expires_at timestamptz;

-- Every API token expires. Tokens created without an expiry get 90 days from now.
update access_token set expires_at = now() + interval '90 days' where kind = 'api' and expires_at is null;
alter table access_token add constraint access_token_api_expires check (kind <> 'api' or expires_at is not null);

-- A change that needs a second admin: requested by one admin, approved (and then carried out) or
-- refused by another. password_hash holds the temporary password's Argon2id hash until the
-- decision and is cleared then.
create table role_approval (
    id              uuid primary key,
    kind            text not null check (kind in ('account_create', 'account_update', 'api_token')),
    account_id      uuid references operator_account (id),
    username        text,
    token_name      text,
    role            text check (role in ('admin', 'compliance', 'supervisor', 'auditor', 'agent')),
    disabled        boolean,
    password_hash   text,
    expires_in_days integer check (expires_in_days between 1 and 365),
    requested_by    uuid not null references operator_account (id),
    requested_at    timestamptz not null,
    status          text not null check (status in ('pending', 'approved', 'refused')),
    decided_by      uuid references operator_account (id),
    decided_at      timestamptz,
    result_id       uuid,
    check (decided_by is null or decided_by <> requested_by),
    check ((status = 'pending') = (decided_by is null)),
    check (status = 'pending' or password_hash is null)
);
create index role_approval_pending on role_approval (requested_at) where status = 'pending';
