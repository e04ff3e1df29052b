-- Operators of the admin API and the tokens they present.
--
-- Passwords are Argon2id hashes in PHC string form ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so
-- the parameters travel with each hash. Tokens are never stored: only the SHA-256 of the token.

create table operator_account (
    id                   uuid primary key,
    username             text not null unique check (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
    password_hash        text not null,
    role                 text not null check (role in ('admin', 'compliance', 'supervisor', 'auditor', 'agent')),
    disabled             boolean not null default false,
    created_at           timestamptz not null,
    created_by           text not null,
    password_changed_at  timestamptz not null,
    updated_at           timestamptz not null
);

-- kind 'session': issued at login, short-lived, belongs to an account (its role is the account's,
-- read on every request). kind 'api': created by an admin for an integration, carries its own role.
create table access_token (
    id            uuid primary key,
    kind          text not null check (kind in ('session', 'api')),
    token_hash    bytea not null unique check (length(token_hash) = 32),
    account_id    uuid references operator_account (id),
    name          text,
    role          text check (role in ('compliance', 'supervisor', 'auditor', 'agent')),
    created_at    timestamptz not null,
    created_by    text not null,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    check ((kind = 'session' and account_id is not null and expires_at is not null)
        or (kind = 'api' and name is not null and role is not null))
);
create index access_token_account on access_token (account_id) where account_id is not null;
create index access_token_expiry on access_token (expires_at) where kind = 'session';
