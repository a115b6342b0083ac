#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the test run.
#   scripts/pg_test_server.sh start   -> prints the DATABASE_URL on stdout
#   scripts/pg_test_server.sh stop
# Root cannot run the server, so initdb/pg_ctl run as the postgres user (runuser).
set -euo pipefail
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
# One cluster per checkout, so that work trees side by side never share a server.
CHECKOUT_HASH=$(pwd | cksum | cut -d' ' -f1)
DIR="${PG_TEST_DIR:-/tmp/congress-pg-$CHECKOUT_HASH}"
PORT="${PG_TEST_PORT:-$((54000 + CHECKOUT_HASH % 900))}"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
  start)
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/pg_ctl" ]; then echo "PostgreSQL server binaries not found" >&2; exit 1; fi
    if as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$(cat "$DIR/port" 2>/dev/null || echo "$PORT")/congress_test"; exit 0
    fi
    rm -rf "$DIR"; mkdir -p "$DIR/data" "$DIR/socket"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$DIR"
    as_postgres "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
      || as_postgres "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >"$DIR/initdb.log" 2>&1
    # The hashed port lies in Linux's range of ephemeral ports, so a client socket of anything else
    # on the machine may hold it just now ("Address already in use", seen in a CI run): the next
    # ports are tried, and the one taken is kept in $DIR/port.
    started=0
    for try in $(seq 0 19); do
      port=$((PORT + try))
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi  # something answers there
      rm -f "$DIR/server.log"  # this attempt's log only (pg_ctl, as postgres, writes it anew)
      if as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -o \
        "-p $port -k $DIR/socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        started=1; PORT=$port; break
      fi
      grep -q "could not bind" "$DIR/server.log" 2>/dev/null || break  # another failure: not a port question
    done
    if [ "$started" != 1 ]; then echo "PostgreSQL did not start; see $DIR/server.log" >&2; tail -5 "$DIR/server.log" >&2; exit 1; fi
    echo "$PORT" >"$DIR/port"
    "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE congress_test" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$PORT/congress_test"
    ;;
  stop)
    as_postgres "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
