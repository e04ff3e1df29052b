-- The shared subject key store (CR_KEYSTORE_URL): a schema of its own, in a database of its own (or at least
-- owned by a role of its own), so that it never travels in the recordings' database or its backups.
-- Flyway keeps this schema's history in keystore.flyway_schema_history, apart from the recordings' schema.
-- Only wrapped keys, random key ids and HMACs of subject ids are stored: no subject id, no key in clear.

-- The HMAC key that hides subject ids, wrapped under a KEK; one row.
create table keystore.index_key (
    key_id      text primary key check (key_id = 'subject-index-key'),
    kek_id      text not null,
    wrapped_key bytea not null,
    updated_at  timestamptz not null default now()
);

-- One wrapped key per subject key id ("sk1-" and 128 random bits).
create table keystore.subject_key (
    key_id      text primary key check (key_id ~ '^sk1-[0-9a-f]{32}$'),
    kek_id      text not null,
    wrapped_key bytea not null,
    created_at  timestamptz not null default now(),
    rewrapped_at timestamptz
);

-- Subject (as HMAC-SHA256 under the index key) -> its key. Deleting a key deletes its reference in the same
-- statement (crypto-shredding is one step); a reference never outlives its key.
create table keystore.subject_key_ref (
    lookup  text primary key check (lookup ~ '^[0-9a-f]{64}$'),
    key_id  text not null unique references keystore.subject_key (key_id) on delete cascade
);
