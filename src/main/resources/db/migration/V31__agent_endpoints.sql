-- Agents act only on their calls (issue 19): an agent account or agent API token is bound to the
-- endpoints it answers for, as channel-name patterns ("PJSIP/agent-7-*", "PJSIP/agent-7"; '*' is
-- the only wildcard). The live-call list and controls show an agent only the calls whose caller
-- channel or an answered peer channel matches. No endpoints: no calls.
alter table operator_account add column endpoints text[];
alter table access_token add column endpoints text[];
