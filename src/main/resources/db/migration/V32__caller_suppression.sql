-- "Do not record" that survives erasure (GDPR Art. 21 objection, Art. 7(3) withdrawal, then Art. 17):
-- the erasure replaces the caller's number everywhere, so their preference row no longer names them.
-- Instead a keyed hash of the normalized number is kept here: HMAC-SHA-256 under a key that lives
-- only in the subject key store, wrapped under the keyring's KEK (never in the database), so these
-- rows alone cannot be searched for a number. Checked at every call start; a later grant by the
-- caller of their own accord removes the row.
create table caller_suppression (
    digest      text primary key check (digest ~ '^[0-9a-f]{64}$'),
    reason      text not null check (reason in ('do_not_record', 'withdrawn', 'opted_out')),
    request_id  uuid,
    created_at  timestamptz not null
);
