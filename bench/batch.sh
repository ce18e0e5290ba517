#!/usr/bin/env bash
# A batch of N refunds (its check, then the background job's run, as one instance runs
# it) beside N single refunds through the open API (signed HTTP requests, 32 in
# flight), on one fresh database in the same run (server/tests/batch_bench.rs).
#
# Uses the server of DATABASE_URL (its role must be allowed to CREATE DATABASE), or
# without it the private cluster of scripts/lib.sh; the test database is dropped after.
#   ROWS=10000 CONCURRENCY=32 bench/batch.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

OUT=bench/out
mkdir -p "$OUT"
use_admin_url
trap pg_stop_if_started_here EXIT

log "cargo test --release -p server --test batch_bench (ignored: the benchmark)"
DATABASE_URL="$ADMIN_URL" SQLX_OFFLINE=true BENCH_ROWS="${ROWS:-10000}" \
  BENCH_CONCURRENCY="${CONCURRENCY:-32}" \
  cargo test --release -p server --test batch_bench -- --ignored --nocapture 2>&1 \
  | tee "$OUT/batch.log" | grep -E '^RESULT' | sed 's/^RESULT //'
