#!/usr/bin/env bash
# Times `server seed --reset` for N transactions (default 1,000,000) on a fresh database
# and sets its rows/s beside PostgreSQL's own COPY of the very same rows from a file into
# a bare copy of the table, measured in the same run.
#
# Uses the server of DATABASE_URL (its role must be allowed to CREATE DATABASE), or
# without it the private cluster of scripts/lib.sh. Works in the database
# paydesk_bench_seed, which it drops at the end.
#   N=200000 bench/seed.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

N="${N:-1000000}"
DB=paydesk_bench_seed
OUT=bench/out
mkdir -p "$OUT"

use_admin_url
URL="$(url_with_db "$ADMIN_URL" "$DB")"
cleanup() {
  rm -f "$OUT/transactions.tsv"
  drop_database "$ADMIN_URL" "$DB" || true
  pg_stop_if_started_here
}
trap cleanup EXIT

log "cargo build --release -p server"
cargo build --release -p server
recreate_database "$ADMIN_URL" "$DB"
DATABASE_URL="$URL" target/release/server migrate

now_ms() { echo $(($(date +%s%N) / 1000000)); }
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }

log "server seed --reset --transactions $N"
t0=$(now_ms)
DATABASE_URL="$URL" RUST_LOG=info target/release/server seed --reset --transactions "$N" >"$OUT/seed.log" 2>&1
seed_ms=$(($(now_ms) - t0))
rows=$(psql_admin "$URL" -c "SELECT count(*) FROM transactions")
# The seed's own phases, from its closing log line.
phases=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/seed.log" | grep -o 'copy_s=[0-9.]*.*total_s=[0-9.]*' || true)
copy_ms=$(echo "$phases" | sed -n 's/.*copy_s=\([0-9.]*\).*/\1/p' | awk '{ printf "%.0f", $1 * 1000 }')

log "reference: COPY of the same rows by PostgreSQL"
psql_admin "$URL" -c "\\copy transactions TO '$OUT/transactions.tsv'"
psql_admin "$URL" -c "CREATE TABLE bench_copy (LIKE transactions)"
t0=$(now_ms)
psql_admin "$URL" -c "\\copy bench_copy FROM '$OUT/transactions.tsv'"
ref_ms=$(($(now_ms) - t0))

printf '\n%-58s %9s %10s\n' "" "seconds" "rows/s"
printf '%-58s %9.1f %10s\n' "server seed, end to end ($rows rows)" "$(awk "BEGIN{print $seed_ms/1000}")" "$(rate "$rows" "$seed_ms")"
if [ -n "$copy_ms" ]; then
  printf '%-58s %9.1f %10s\n' "  of which generating + COPY (no indexes, no keys)" "$(awk "BEGIN{print $copy_ms/1000}")" "$(rate "$rows" "$copy_ms")"
fi
printf '%-58s %9.1f %10s\n' "reference: psql \\copy of the same rows into a bare table" "$(awk "BEGIN{print $ref_ms/1000}")" "$(rate "$rows" "$ref_ms")"
echo "seed phases: ${phases:-n/a}"
