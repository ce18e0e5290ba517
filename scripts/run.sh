#!/usr/bin/env bash
# Builds Paydesk in release mode and serves it with demo data on http://127.0.0.1:3000.
#
#   scripts/run.sh          install what is missing, build, migrate, seed, serve
#   scripts/run.sh --instances N
#                           the same with N servers behind HAProxy on that address,
#                           reading from a streaming replica of the private cluster
#                           (what a production deployment looks like; logs in
#                           target/cluster-logs/)
#   scripts/run.sh stop     stop the private PostgreSQL cluster (.pg/) if one is running
#
# Settings (environment, or a .env file in the repo root; see .env.example):
#   DATABASE_URL               use this database instead of the private cluster
#   LEPTOS_SITE_ADDR           address to serve on (default 127.0.0.1:3000)
#   PAYDESK_SEED_TRANSACTIONS  size of the demo data on first run (default 5000)
#   RUST_LOG                   log filter (default info)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

INSTANCES=1
case "${1:-}" in
  "") ;;
  --instances)
    INSTANCES="${2:-}"
    [[ "$INSTANCES" =~ ^[1-9][0-9]?$ ]] || die "--instances takes a number from 1 to 99"
    ;;
  stop)
    pg_stop
    exit 0
    ;;
  -h | --help)
    sed -n '2,12s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
  *) die "unknown argument: $1 (try --help)" ;;
esac

if [ -f .env ]; then
  set -a
  # shellcheck disable=SC1091
  source ./.env
  set +a
fi

export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export RUST_LOG="${RUST_LOG:-info}"
SEED_TRANSACTIONS="${PAYDESK_SEED_TRANSACTIONS:-5000}"

if port_in_use "${LEPTOS_SITE_ADDR##*:}"; then
  die "$LEPTOS_SITE_ADDR is already in use; set LEPTOS_SITE_ADDR=127.0.0.1:PORT to serve elsewhere"
fi

# Tools. The first run on a fresh machine spends most of its time here (~30 min of
# cargo installs); later runs only check versions.
ensure_postgres
ensure_wasm_target
ensure_wasm_bindgen
ensure_cargo_leptos
ensure_wasm_opt

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  stop_server
  pg_stop_if_started_here
}
trap cleanup EXIT

PRIVATE_CLUSTER=""
if [ -n "${DATABASE_URL:-}" ]; then
  log "using DATABASE_URL from the environment"
else
  PRIVATE_CLUSTER=1
  pg_start
  ensure_database "$PG_ADMIN_URL" paydesk
  export DATABASE_URL
  DATABASE_URL="$(url_with_db "$PG_ADMIN_URL" paydesk)"
fi

log "cargo leptos build --release --split --precompress"
cargo leptos build --release --split --precompress

export_leptos_env
server=target/release/server

log "migrating"
"$server" migrate

log "seeding demo data (skipped when the database already has data)"
seed_output="$("$server" seed --transactions "$SEED_TRANSACTIONS")"

cat <<EOF

$seed_output

Paydesk is starting on  http://$LEPTOS_SITE_ADDR
Sign in with one of the demo logins above (password: paydesk-demo). Ctrl-C stops it.
Admins and operators refund from a payment's details page; the first refund asks them
to set a payment password (Settings > Payment password).

EOF

if [ "$INSTANCES" -gt 1 ]; then
  # The servers take free ports of their own; the balancer takes the site's address.
  LOG_DIR=target/cluster-logs
  mkdir -p "$LOG_DIR"
  if [ -n "$PRIVATE_CLUSTER" ] && [ -z "${DATABASE_READ_URL:-}" ]; then
    replica_start
    replica_wait "$DATABASE_URL" "$REPLICA_ADMIN_URL"
    export DATABASE_READ_URL
    DATABASE_READ_URL="$(url_with_db "$REPLICA_ADMIN_URL" paydesk)"
    log "the servers read from the replica on 127.0.0.1:$REPLICA_PORT"
  fi
  BALANCER_PORT="${LEPTOS_SITE_ADDR##*:}" serve_balanced cluster "$DATABASE_URL" "$INSTANCES"
  trap 'stop_server' INT TERM
  log "$INSTANCES servers behind http://$LEPTOS_SITE_ADDR (Ctrl-C stops them)"
  wait "${SERVER_PIDS[-1]}" || true
  exit 0
fi

# With no balancer in front there is nobody to drain from: stop at once.
export PAYDESK_SHUTDOWN_DRAIN_SECONDS="${PAYDESK_SHUTDOWN_DRAIN_SECONDS:-0}"
if [ "$PG_STARTED_HERE" -eq 0 ]; then
  # Nothing to clean up afterwards: hand the process over to the server.
  trap - EXIT
  exec "$server" serve
fi

# This script started the database, so it stays around to stop it when the server ends.
# The server runs in the background (where a non-interactive shell ignores SIGINT for
# it) and the script forwards Ctrl-C / SIGTERM to it as SIGTERM.
"$server" serve &
SERVER_PIDS=("$!")
trap 'kill -TERM "${SERVER_PIDS[0]}" 2>/dev/null || true' INT TERM
rc=0
while kill -0 "${SERVER_PIDS[0]}" 2>/dev/null; do
  wait "${SERVER_PIDS[0]}" || rc=$?
done
SERVER_PIDS=()
exit "$rc"
