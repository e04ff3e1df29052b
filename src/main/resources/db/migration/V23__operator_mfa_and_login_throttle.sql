-- Operator sign-in hardening (issue 13): login throttling counters that survive a restart and are
-- shared by every instance, a full account lock after many failures, and the TOTP second factor.

-- One row per throttling key: 'pair:<user>|<address>', 'addr:<address>', 'acct:<user>'. An attempt
-- is counted in 'pending' before its password hash starts, so a parallel burst cannot slip past.
create table login_throttle (
    key            text primary key check (length(key) <= 400),
    failures       integer not null default 0 check (failures >= 0),
    pending        integer not null default 0 check (pending >= 0),
    pending_since  timestamptz,
    last_failure   timestamptz,
    updated_at     timestamptz not null
);
create index login_throttle_last_failure on login_throttle (last_failure);

-- An account locked after many failures in 24 h; only an admin (API) or 'admin unlock' lifts it.
alter table operator_account add column locked_at timestamptz;

-- The TOTP secret, sealed (AES-256-GCM) under a KEK of the keyring; never stored in clear.
-- last_step: the newest 30-second step whose code was accepted, so no code is used twice.
create table operator_mfa (
    account_id     uuid primary key references operator_account (id),
    kek_id         text not null,
    secret_sealed  bytea not null,
    confirmed_at   timestamptz,
    last_step      bigint not null default -1,
    created_at     timestamptz not null
);

-- Ten single-use recovery codes per enrolment: only their SHA-256 (they are 80 random bits each).
create table operator_recovery_code (
    account_id  uuid not null references operator_account (id),
    code_hash   bytea not null check (length(code_hash) = 32),
    used_at     timestamptz,
    primary key (account_id, code_hash)
);

-- Step two of a sign-in: a password that was right gives a short-lived challenge, redeemed with a code.
create table login_challenge (
    id_hash     bytea primary key check (length(id_hash) = 32),
    account_id  uuid not null references operator_account (id),
    source      text,
    attempts    integer not null default 0,
    expires_at  timestamptz not null,
    used_at     timestamptz
);
create index login_challenge_expiry on login_challenge (expires_at);

-- 'full' sessions, or sessions that may only enrol a second factor; whether the session's login
-- presented a second factor (roles that require one need it for everything but enrolment).
alter table access_token add column scope text not null default 'full' check (scope in ('full', 'mfa_enrolment'));
alter table access_token add column second_factor boolean not null default false;
