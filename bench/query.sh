#!/usr/bin/env bash
# Transaction query benchmark. Seeds 20,000,000 transactions once into the database
# paydesk_bench (kept for the next run), then prints, for each filter case, the p50/p99
# of the search server function through HTTP next to the bare SQL of the same page
# (RUNS samples each, default 2,000), and the EXPLAIN ANALYZE of representative pages.
#
# Uses the server of DATABASE_URL, or without it the private cluster of scripts/lib.sh.
#   N=20000000 RUNS=2000 bench/query.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

N="${N:-20000000}"
trap pg_stop_if_started_here EXIT

log "cargo build --release -p server --example query_bench"
cargo build --release -p server --bin server --example query_bench
bench_database "$N"
URL="$BENCH_URL"

DATABASE_URL="$URL" target/release/examples/query_bench

merchant=$(psql -qtAX "$URL" -c "SELECT id FROM merchants ORDER BY name LIMIT 1")
echo
echo "EXPLAIN: first page, no filter (last 7 days, successful)"
psql -qtAX "$URL" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT t.id FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id
   WHERE t.merchant_id = '$merchant' AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')
     AND t.created_at >= now() - interval '7 days' AND t.created_at < now() AND t.status = 'SUCCESS'
   ORDER BY t.created_at DESC, t.id DESC LIMIT 21"
echo
echo "EXPLAIN: a page after a cursor, currency filter"
cursor=$(psql -qtAX "$URL" -c "SELECT created_at FROM transactions WHERE merchant_id = '$merchant'
  AND created_at < now() - interval '2 days' ORDER BY created_at DESC LIMIT 1")
psql -qtAX "$URL" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT t.id FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id
   WHERE t.merchant_id = '$merchant' AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')
     AND t.created_at >= now() - interval '7 days' AND t.created_at < now()
     AND t.currency = (SELECT currency FROM merchant_balances WHERE merchant_id = '$merchant' LIMIT 1)
     AND t.status = 'SUCCESS' AND (t.created_at, t.id) < ('$cursor', 9223372036854775807)
   ORDER BY t.created_at DESC, t.id DESC LIMIT 21"
echo
echo "EXPLAIN: the first page of an amount range that matches nothing in 40 days (the worst case:"
echo "every entry of the currency's days is looked at)"
psql -qtAX "$URL" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT t.id FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id
   WHERE t.merchant_id = '$merchant' AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')
     AND t.created_at >= now() - interval '40 days' AND t.created_at < now()
     AND t.currency = (SELECT currency FROM merchant_balances WHERE merchant_id = '$merchant' LIMIT 1)
     AND t.status = 'SUCCESS' AND t.amount_minor BETWEEN 1234567 AND 1234567
   ORDER BY t.created_at DESC, t.id DESC LIMIT 21"
