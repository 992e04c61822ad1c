#!/usr/bin/env bash
# A private PostgreSQL server for the HPO tests and benchmarks (never the machine's shared cluster):
#   eval "$(environment/postgres.sh)"        # start (idempotent) and export STEEL_TEST_PG_URL
#   environment/postgres.sh stop             # stop it
# Installs postgresql from apt when missing, runs `initdb` into a private data directory owned by
# the postgres user (peer auth on its own socket, scram-sha-256 on 127.0.0.1 only), on a free port
# from 55432 up, and creates role + database steel_test with a random password. The URL is written
# to outputs/hpo/postgres.env (mode 600) and printed on stdout as an `export` line; messages go to stderr.
# Environment: STEEL_PG_PORT, STEEL_PG_DATA override the port and data directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
envfile="$root/outputs/hpo/postgres.env"
statefile="$root/outputs/hpo/postgres.state"
say() { echo "postgres.sh: $*" >&2; }

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  say "installing postgresql from apt"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else say "need root for apt-get install postgresql"; exit 1; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

# The server refuses to run as root: as root, run its tools as the postgres user.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

running() { [ -n "${data:-}" ] && [ -d "$data" ] && as_pg "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

if [ -f "$statefile" ]; then
  # shellcheck disable=SC1090
  . "$statefile"
fi

if [ "${1:-start}" = stop ]; then
  if running; then as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >&2; else say "not running"; fi
  exit 0
fi

if running && [ -f "$envfile" ]; then
  say "already running on port $port ($data)"
  cat "$envfile"
  exit 0
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${port:-}" ] || ! port_free "$port"; then
  port="${STEEL_PG_PORT:-}"
  if [ -z "$port" ]; then
    for p in $(seq 55432 55532); do if port_free "$p"; then port="$p"; break; fi; done
  fi
  [ -n "$port" ] || { say "no free port in 55432-55532"; exit 1; }
fi
data="${STEEL_PG_DATA:-${data:-${TMPDIR:-/tmp}/steel-pg-$(echo "$root" | md5sum | cut -c1-8)}}"

if [ ! -f "$data/PG_VERSION" ]; then
  say "initdb $data"
  mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  chmod 700 "$data"
  as_pg "$bindir/initdb" -D "$data" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 >/dev/null
fi
say "starting on 127.0.0.1:$port"
as_pg "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null

password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)"
psql_pg() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$data" -p "$port" -U postgres -d postgres "$@"; }
psql_pg -c "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'steel_test') THEN CREATE ROLE steel_test LOGIN; END IF; END \$\$;"
psql_pg -c "ALTER ROLE steel_test PASSWORD '$password';" >/dev/null
psql_pg -tAc "SELECT 1 FROM pg_database WHERE datname = 'steel_test'" | grep -q 1 || psql_pg -c "CREATE DATABASE steel_test OWNER steel_test;"

mkdir -p "$(dirname "$envfile")"
umask 077
printf 'data=%q\nport=%q\n' "$data" "$port" > "$statefile"
echo "export STEEL_TEST_PG_URL=postgresql://steel_test:$password@127.0.0.1:$port/steel_test" > "$envfile"
say "ready: postgresql://steel_test:***@127.0.0.1:$port/steel_test (full URL in $envfile)"
cat "$envfile"
