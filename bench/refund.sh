#!/usr/bin/env bash
# Signed refund requests per second and latency percentiles through the real HTTP stack
# (release server: signature check, refund engine, signed response), set beside
# pgbench's simple-update TPS on the same database, measured in the same run.
#
# Uses the server of DATABASE_URL (its role must be allowed to CREATE DATABASE), or
# without it the private cluster of scripts/lib.sh. Works in the database
# paydesk_bench_refund, which it drops at the end.
# With INSTANCES=N (default 1) the requests go through HAProxy to N servers. On the
# private cluster its read replica runs too (REPLICA=0: not), and the replica's lag
# during the refunds is sampled from pg_stat_replication (docs/SCALING.md).
#   REQUESTS=5000 CONCURRENCY=32 SECONDS_PGBENCH=20 SEED_N=200000 INSTANCES=1 bench/refund.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

REQUESTS="${REQUESTS:-5000}"
CONCURRENCY="${CONCURRENCY:-32}"
SECONDS_PGBENCH="${SECONDS_PGBENCH:-20}"
SEED_N="${SEED_N:-200000}"
INSTANCES="${INSTANCES:-1}"
DB=paydesk_bench_refund
OUT=bench/out
mkdir -p "$OUT"
KEYS="$(mktemp -d)"

use_admin_url
URL="$(url_with_db "$ADMIN_URL" "$DB")"
if [ -z "${DATABASE_URL:-}" ] && [ "${REPLICA:-1}" = 1 ]; then
  replica_start
fi
SAMPLER_PID=""
cleanup() {
  [ -z "$SAMPLER_PID" ] || kill "$SAMPLER_PID" 2>/dev/null || true
  stop_server
  rm -rf "$KEYS"
  drop_database "$ADMIN_URL" "$DB" || true
  pg_stop_if_started_here
}
trap cleanup EXIT

log "cargo build --release -p server (and the load generator)"
cargo build --release -p server
cargo test --release -p server --test refund_bench --no-run

recreate_database "$ADMIN_URL" "$DB"
log "server seed --transactions $SEED_N"
DATABASE_URL="$URL" target/release/server seed --reset --transactions "$SEED_N" >"$OUT/refund-seed.log" 2>&1

# One API client per demo merchant, so that refunds spread over merchants as real
# traffic does (each merchant's balance row is a point where its refunds queue).
psql_admin "$URL" -c "SELECT name FROM merchants ORDER BY created_at" | while read -r name; do
  DATABASE_URL="$URL" target/release/server keys demo --merchant "$name" --out-dir "$KEYS" >/dev/null
done

LOG_DIR="$OUT"
INSTANCE_PIDS=()
addresses=()
for ((i = 1; i <= INSTANCES; i++)); do
  port="$(free_port $((23000 + 100 * i)))"
  log "server $i serve on 127.0.0.1:$port"
  DATABASE_URL="$URL" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
    PAYDESK_API_RATE_PER_SECOND=0 PAYDESK_API_ADDRESS_RATE_PER_SECOND=0 \
    PAYDESK_ASYNC_REFUND_DELAY_SECONDS=1 \
    target/release/server serve >"$OUT/refund-server-$i.log" 2>&1 &
  SERVER_PIDS+=("$!")
  INSTANCE_PIDS+=("$!")
  wait_for_http "http://127.0.0.1:$port/readyz" 60 "$!" || die "server $i did not start (see $OUT/refund-server-$i.log)"
  addresses+=("127.0.0.1:$port")
done
if [ "$INSTANCES" -gt 1 ]; then
  start_balancer refund "$(free_port 22000)" "${addresses[@]}" || die "HAProxy did not start"
  BASE="$SERVER_URL"
else
  BASE="http://${addresses[0]}"
fi

# CPU seconds (user + system) used so far by the processes of user $1, or by the pids
# given after "-p": where the time of a run goes, per side. The children's times
# (fields 16 and 17) count the backends that have exited, which the postmaster reaped:
# pgbench's connections end with the run.
cpu_seconds() {
  local pids
  if [ "$1" = -p ]; then shift; pids="$*"; else pids="$(pgrep -u "$1" | tr '\n' ' ')"; fi
  local ticks=0 pid
  for pid in $pids; do
    [ -r "/proc/$pid/stat" ] || continue
    ticks=$((ticks + $(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }' || echo 0)))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# The private cluster's processes run as postgres (initdb refuses root).
PG_USER="${PG_USER:-postgres}"
psql_admin "$URL" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true

log "reference: pgbench simple-update, $CONCURRENCY clients, ${SECONDS_PGBENCH}s"
pgbench -i -s 10 -q "$URL" >"$OUT/refund-pgbench-init.log" 2>&1
pg_before=$(cpu_seconds "$PG_USER")
pgbench -b simple-update -c "$CONCURRENCY" -j 2 -T "$SECONDS_PGBENCH" "$URL" >"$OUT/refund-pgbench.log" 2>&1
pg_cpu_pgbench=$(awk -v a="$(cpu_seconds "$PG_USER")" -v b="$pg_before" 'BEGIN { printf "%.2f", a - b }')
pg_txns=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$OUT/refund-pgbench.log" | tail -1)
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/refund-pgbench.log" | tail -1)
pg_lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$OUT/refund-pgbench.log" | tail -1)

log "signed refunds: $REQUESTS requests, $CONCURRENCY at a time"
psql_admin "$URL" -c "SELECT pg_stat_statements_reset()" >/dev/null 2>&1 || true
pg_before=$(cpu_seconds "$PG_USER")
server_before=$(cpu_seconds -p "${INSTANCE_PIDS[@]}")
# How far behind each standby is (ms of replay lag, bytes of WAL), ten times a second.
: >"$OUT/refund-replica-lag.txt"
while :; do
  psql_admin "$ADMIN_URL" -F ' ' -c "SELECT coalesce(extract(epoch FROM replay_lag) * 1000, 0)::numeric(12, 1),
      pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) FROM pg_stat_replication" 2>/dev/null || true
  sleep 0.1
done >>"$OUT/refund-replica-lag.txt" &
SAMPLER_PID=$!
BENCH_BASE_URL="$BASE" BENCH_KEYS_DIR="$KEYS" DATABASE_URL="$URL" \
  BENCH_REQUESTS="$REQUESTS" BENCH_CONCURRENCY="$CONCURRENCY" \
  cargo test --release -p server --test refund_bench -- --ignored --nocapture 2>&1 | tee "$OUT/refund-load.log" | grep -E '^(RESULT|signed|result codes)' || true
# The figures count only if every refund was accepted (the generator checks it last).
grep -q '^test result: ok' "$OUT/refund-load.log" || die "the load generator failed (see $OUT/refund-load.log)"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
pg_cpu=$(awk -v a="$(cpu_seconds "$PG_USER")" -v b="$pg_before" 'BEGIN { printf "%.2f", a - b }')
server_cpu=$(awk -v a="$(cpu_seconds -p "${INSTANCE_PIDS[@]}")" -v b="$server_before" 'BEGIN { printf "%.2f", a - b }')
result=$(grep '^RESULT' "$OUT/refund-load.log")
field() { echo "$result" | sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }

printf '\n%-62s %10s %10s %10s\n' "" "per second" "p50 ms" "p99 ms"
printf '%-62s %10s %10s %10s\n' "signed refunds, $INSTANCES server(s) ($(field requests) requests, $CONCURRENCY conc.)" \
  "$(field refund_rps)" "$(field p50_ms)" "$(field p99_ms)"
printf '%-62s %10.0f %10s %10s\n' "reference: pgbench simple-update ($CONCURRENCY clients)" "$pg_tps" "${pg_lat:-?} avg" "-"
echo "ratio: $(awk -v a="$(field refund_rps)" -v b="$pg_tps" 'BEGIN { printf "%.2f", a / b }') refunds per pgbench transaction"
if [ -s "$OUT/refund-replica-lag.txt" ]; then
  # percentile COLUMN P: of the samples, sorted.
  percentile() {
    cut -d' ' -f"$1" "$OUT/refund-replica-lag.txt" | sort -n \
      | awk -v p="$2" '{ v[NR] = $1 } END { i = int((NR - 1) * p / 100) + 1; print v[i] }'
  }
  echo "replica lag during the refunds ($(wc -l <"$OUT/refund-replica-lag.txt") samples):" \
    "replay p50 $(percentile 1 50) ms, p99 $(percentile 1 99) ms, max $(percentile 1 100) ms;" \
    "WAL behind p99 $(percentile 2 99) bytes, max $(percentile 2 100) bytes"
fi

# Where the time goes: CPU per refund on each side (the load generator and the workers'
# own activity included in "PostgreSQL" and "server"), next to pgbench's, and the
# statements PostgreSQL spent its time on during the refunds.
n=$(( $(field requests) + 200 ))
echo
echo "CPU per refund: server $(awk -v c="$server_cpu" -v n="$n" 'BEGIN { printf "%.3f", c * 1000 / n }') ms," \
  "PostgreSQL $(awk -v c="$pg_cpu" -v n="$n" 'BEGIN { printf "%.3f", c * 1000 / n }') ms;" \
  "per pgbench transaction: PostgreSQL $(awk -v c="$pg_cpu_pgbench" -v n="${pg_txns:-1}" 'BEGIN { printf "%.3f", c * 1000 / n }') ms"
echo
echo "PostgreSQL statements during the refunds (pg_stat_statements, by total time):"
psql_admin "$URL" -c "SELECT to_char(calls, 'FM9999999') || ' calls, ' ||
         to_char(mean_exec_time, 'FM990.000') || ' ms mean, ' ||
         to_char(100 * total_exec_time / sum(total_exec_time) OVER (), 'FM990.0') || '% | ' ||
         left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   ORDER BY total_exec_time DESC LIMIT 15" 2>/dev/null || echo "(pg_stat_statements is not loaded in this cluster)"
