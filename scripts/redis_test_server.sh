#!/usr/bin/env bash
# A throw-away Redis server on 127.0.0.1 for the test run (no persistence), like pg_test_server.sh.
#   scripts/redis_test_server.sh start   -> prints the REDIS_URL on stdout
#   scripts/redis_test_server.sh stop
# One server per checkout, on a port that was free when it started (kept in its folder).
set -euo pipefail
REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
REDIS_CLI="${REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}"
CHECKOUT_HASH=$(pwd | cksum | cut -d' ' -f1)
DIR="${REDIS_TEST_DIR:-/tmp/congress-redis-$CHECKOUT_HASH}"

free_port() {
  local python; python=$(command -v python3 || command -v python3.11)
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

alive() { [ -f "$DIR/port" ] && "$REDIS_CLI" -h 127.0.0.1 -p "$(cat "$DIR/port")" ping 2>/dev/null | grep -q PONG; }

case "${1:-start}" in
  start)
    if [ ! -x "$REDIS_SERVER" ]; then echo "redis-server not found (scripts/install_system_deps.sh test)" >&2; exit 1; fi
    if alive; then echo "redis://127.0.0.1:$(cat "$DIR/port")/0"; exit 0; fi
    rm -rf "$DIR"; mkdir -p "$DIR"
    port="${REDIS_TEST_PORT:-$(free_port)}"
    echo "$port" >"$DIR/port"
    "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
    for _ in $(seq 100); do alive && break; sleep 0.05; done
    alive || { echo "redis-server did not start, see $DIR/redis.log" >&2; exit 1; }
    echo "redis://127.0.0.1:$port/0"
    ;;
  stop)
    if [ -f "$DIR/port" ]; then
      "$REDIS_CLI" -h 127.0.0.1 -p "$(cat "$DIR/port")" shutdown nosave >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
