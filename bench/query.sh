#!/usr/bin/env bash
# Transaction query benchmark. Seeds 20,000,000 transactions once into the database
# paydesk_bench (kept for the next run), then prints, for each filter case, the p50/p99
# of the search server function through HTTP next to the bare SQL of the same page
# (RUNS samples each, default 2,000), then the EXPLAIN ANALYZE of every case's pages: the
# page statement the app sends, with the same bound parameters. The output is kept in
# bench/out/query.md.
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

mkdir -p bench/out
DATABASE_URL="$URL" target/release/examples/query_bench | tee bench/out/query.md
