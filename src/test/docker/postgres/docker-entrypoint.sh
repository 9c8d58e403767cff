#!/bin/bash
# Entry point of edupulse-test/postgres: initialises $PGDATA on first start from POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB (and runs /docker-entrypoint-initdb.d/*.sql and *.sh), then runs
# the given command, normally "postgres" with options, in the foreground as the postgres user.
set -euo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" != postgres ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ -n "${POSTGRES_PASSWORD:-}" ]; then
  host_auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
else
  host_auth=${POSTGRES_HOST_AUTH_METHOD:-trust}
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_option=() pwfile=''
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    password_option=(--pwfile="$pwfile")
  fi
  # A throwaway test database: nothing is synced to disk during initialisation.
  initdb --username="$user" "${password_option[@]}" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$host_auth" --no-sync -D "$PGDATA"
  rm -f "$pwfile"
  # Clients arrive from the container network, never from the container's own loopback.
  {
    echo "host all all 0.0.0.0/0 $host_auth"
    echo "host all all ::/0 $host_auth"
  } >>"$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  # A first run, on the socket only, to create the database and run the init scripts.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c fsync=off" -w start
  if [ "$db" != postgres ]; then
    psql -v ON_ERROR_STOP=1 -U "$user" -d postgres -q \
      -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  # shellcheck disable=SC1090  # the init scripts are whatever the user mounts
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 -U "$user" -d "$db" -q -f "$f" ;;
      *.sh)  echo "running $f"; . "$f" ;;
      *)     echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
