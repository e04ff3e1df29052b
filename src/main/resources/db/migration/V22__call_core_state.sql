-- The whole per-call core state as JSON (CallStateCodec), written with every state change, so a
-- restarted application takes a call over from exactly where it was. It holds no personal data:
-- caller number, name and subject stay in the columns and the evidence rows that erasure and
-- retention handle. Rows written before this column existed have it null and are taken over from
-- their columns and timeline, as before.
alter table call add column core_state jsonb;
