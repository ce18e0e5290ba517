#!/usr/bin/env bash
# Overview and reports calendar benchmark. Uses the transactions that bench/query.sh
# seeds (20,000,000 by default, made here if missing) and prints, per page (the overview
# over a year and a day, 30 days and one day by the hour, in the merchant's busiest
# currency; the calendar by month and by year), the p50/p99 of its server function
# through HTTP (RUNS samples, default 2,000) next to the raw aggregate over the
# transactions giving the same figure (RAW_RUNS, default 200: it is the slow side), and
# whether both give the same figure. Then the EXPLAIN ANALYZE
# of the year view's read of the daily totals.
#
# Uses the server of DATABASE_URL, or without it the private cluster of scripts/lib.sh.
#   N=20000000 RUNS=2000 RAW_RUNS=200 bench/summaries.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

N="${N:-20000000}"
trap pg_stop_if_started_here EXIT

log "cargo build --release -p server --example summary_bench"
cargo build --release -p server --bin server --example summary_bench
bench_database "$N"
echo "daily totals: $(psql_admin "$BENCH_URL" -c "SELECT count(*) || ' rows, ' ||
  pg_size_pretty(pg_total_relation_size('daily_totals')) FROM daily_totals")"

DATABASE_URL="$BENCH_URL" target/release/examples/summary_bench

merchant=$(psql_admin "$BENCH_URL" -c "SELECT id FROM merchants ORDER BY name LIMIT 1")
echo
echo "EXPLAIN: the year view's totals (the largest read of the daily totals)"
psql_admin "$BENCH_URL" -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
  SELECT date_trunc('month', day::timestamp)::date, sum(transactions)::bigint,
         coalesce(sum(settlement_amount_minor) FILTER (
             WHERE transaction_type = 'PAYMENT' AND settlement_currency = 'USD'), 0)::bigint
    FROM daily_totals
   WHERE merchant_id = '$merchant' AND status = 'SUCCESS'
     AND day >= date_trunc('year', now())::date AND day < (date_trunc('year', now()) + interval '1 year')::date
   GROUP BY 1 HAVING sum(transactions) > 0"
