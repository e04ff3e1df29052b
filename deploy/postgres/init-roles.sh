#!/bin/sh
# Creates consent-recorder's two database roles (docs/operations.md, "Database roles"). Run by the
# official postgres image once, on the first start with an empty volume (/docker-entrypoint-initdb.d),
# as the cluster's superuser (POSTGRES_USER), in the database POSTGRES_DB:
#
#   CR_DB_OWNER_USER  owns the schema; migrations run as it (the "migrate" service). No superuser.
#   CR_DB_USER        the service's role: it can log in and connect, and gets exactly the privileges
#                     the migrate step grants it (store.AppRolePrivileges): INSERT and SELECT on the
#                     audit trail and the consent evidence, never UPDATE, DELETE, TRUNCATE or ownership.
set -eu
: "${CR_DB_OWNER_USER:?}" "${CR_DB_OWNER_PASSWORD:?}" "${CR_DB_USER:?}" "${CR_DB_PASSWORD:?}"
if [ "$CR_DB_OWNER_USER" = "$CR_DB_USER" ]; then
  echo "CR_DB_OWNER_USER and CR_DB_USER must be two different roles" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner="$CR_DB_OWNER_USER" -v owner_password="$CR_DB_OWNER_PASSWORD" \
     -v app="$CR_DB_USER" -v app_password="$CR_DB_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
set password_encryption = 'scram-sha-256';
create role :"owner" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password :'owner_password';
create role :"app" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password :'app_password';
-- the owner owns the database, so (PostgreSQL 15 and later) schema public and whatever migrations create there
alter database :"db" owner to :"owner";
revoke all on database :"db" from public;
grant connect, temporary on database :"db" to :"owner", :"app";
revoke create on schema public from public;
SQL
echo "consent-recorder: created roles $CR_DB_OWNER_USER (schema owner) and $CR_DB_USER (service)"
