#!/usr/bin/env bash
# Refund receipt generation: the one-off font load, then milliseconds per receipt (mean,
# p50, p99) and the PDF sizes in each language, in a release build, on one thread (the
# cost of one blocking-pool task; a request adds one indexed SELECT). Needs no database.
# Writes one sample PDF per language to bench/out/receipts/ for a look.
#   N=500 bench/receipts.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

N="${N:-500}"
OUT=bench/out/receipts
mkdir -p "$OUT"

log "cargo build --release -p server --example receipt_bench"
cargo build --release -p server --example receipt_bench
echo "cores: $(nproc), receipts per language: $N"
target/release/examples/receipt_bench "$N" "$OUT" | tee bench/out/receipts.txt
ls -l "$OUT"/*.pdf
