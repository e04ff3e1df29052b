-- Active/standby per Asterisk server (docs/scaling.md): one row per server, naming the instance that holds its ARI
-- application and the generation of that holding. An instance takes the lease only once it has expired (by the
-- database's clock, so instances' clocks need not agree); every take-over adds one to the generation.
create table ari_lease (
    server      text primary key check (length(server) between 1 and 64),
    holder      text not null check (length(holder) between 1 and 200),
    generation  bigint not null check (generation > 0),
    acquired_at timestamptz not null,
    expires_at  timestamptz not null
);

-- Fencing: a call's writes carry the generation the writer holds; a write from a stale holder (frozen past its
-- lease, or cut from the database while another instance took over) is refused with SQLSTATE CRF01. FOR SHARE makes a
-- take-over (which updates the row) wait for writes already checked, and those writes wait for it: no stale write
-- commits after the new holder has read the calls it adopts.
create function cr_fence(p_server text, p_generation bigint) returns boolean
    language plpgsql as $$
declare
    held bigint;
begin
    select generation into held from ari_lease where server = p_server for share;
    if held is distinct from p_generation then
        raise exception 'stale lease: server % is held at another generation', p_server
            using errcode = 'CRF01';
    end if;
    return true;
end
$$;
