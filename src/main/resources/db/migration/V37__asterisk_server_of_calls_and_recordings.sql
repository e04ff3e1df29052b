-- Several Asterisk servers from one deployment (CR_ARI_SERVERS, docs/scaling.md): every call, recording, timeline
-- row and quarantined recording names the Asterisk server it was on. The recording's server is where its file is:
-- the archive fetches and deletes it there and nowhere else; a call's server is whose ARI application may take it
-- over after a restart.
--
-- Existing rows were made by one server; they get 'default', the name CR_ARI_URL's server has unless
-- CR_ARI_SERVER_NAME says otherwise. A deployment that had set CR_ARI_SERVER_NAME, or that renames its server,
-- renames the rows as docs/scaling.md ("Naming servers") shows; until then, the recordings of an unknown name wait
-- (they are never claimed, never deleted) and the application says so once in its log.
--
-- The default stays on the columns so that an older version still running during a rolling upgrade can write
-- (it knows one server); this version always writes the name itself.
alter table call add column server text not null default 'default'
    check (length(server) between 1 and 64);
alter table recording add column server text not null default 'default'
    check (length(server) between 1 and 64);
alter table recording_timeline add column server text not null default 'default'
    check (length(server) between 1 and 64);
alter table recording_quarantine add column server text not null default 'default'
    check (length(server) between 1 and 64);

-- a restarted or taking-over instance reads the calls not ended of one server
create index call_open_by_server on call (server) where ended_at is null;
