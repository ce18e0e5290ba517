#!/usr/bin/env bash
# Export benchmark: 1,000,000 transactions of one merchant within one 30-day filter,
# exported through the real HTTP stack (release server, signed-in finance user) as CSV
# and as XLSX, next to PostgreSQL's own `COPY (SELECT ...) TO STDOUT WITH CSV` of the
# same rows and to Python's XlsxWriter (constant_memory) writing the CSV export's rows
# and columns as XLSX (bench/xlsx/write.py, in a virtualenv from PyPI), measured in the
# same run. Prints rows per second, the CSV ratio to COPY,
# and the server's peak RSS during each export (a fresh server per export, so VmHWM is
# that export's peak), also with three XLSX exports running at once.
#
# Uses the server of DATABASE_URL (its role must be allowed to CREATE DATABASE), or
# without it the private cluster of scripts/lib.sh. Works in the database
# paydesk_bench_export, which it drops at the end.
#   ROWS=1000000 bench/export.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"
export_leptos_env

ROWS="${ROWS:-1000000}"
DB=paydesk_bench_export
OUT=bench/out
mkdir -p "$OUT"
JAR="$(mktemp)"

use_admin_url
URL="$(url_with_db "$ADMIN_URL" "$DB")"
cleanup() {
  stop_server
  rm -f "$JAR" "$OUT/export.csv" "$OUT/reference.xlsx"
  drop_database "$ADMIN_URL" "$DB" || true
  pg_stop_if_started_here
}
trap cleanup EXIT

log "cargo build --release -p server"
cargo build --release -p server

recreate_database "$ADMIN_URL" "$DB"
DATABASE_URL="$URL" target/release/server seed --reset --transactions 1000 >"$OUT/export-seed.log" 2>&1
merchant=$(psql -qtAX "$URL" -c "SELECT id FROM merchants WHERE name = 'Lotus Tea House'")
zone=$(psql -qtAX "$URL" -c "SELECT time_zone FROM merchants WHERE id = '$merchant'")
log "loading $ROWS transactions into the last 30 days of Lotus Tea House"
psql -qtAX "$URL" -c "
  INSERT INTO transactions (merchant_id, transaction_id, reference_transaction_id,
      transaction_request_id, acquirer_transaction_id, serial_no, transaction_type, status,
      amount_minor, currency, settlement_amount_minor, settlement_currency, settlement_quote,
      payment_method_type, acquirer_code, reason, created_at, finished_at)
  SELECT '$merchant', 'BENCH' || lpad(g::text, 12, '0'), 'ORDER-' || g, 'REQ-' || g, 'ACQ-' || g,
         (g % 100000)::text, 'PAYMENT', 'SUCCESS', 100 + g % 100000, 'CNY', (100 + g % 100000) / 7,
         'USD', 0.1400000000,
         (SELECT code FROM payment_methods ORDER BY code LIMIT 1),
         (SELECT code FROM acquirers ORDER BY code LIMIT 1),
         CASE WHEN g % 10 = 0 THEN 'Gift, \"wrapped\"' END,
         date_trunc('day', now()) - interval '29 days' + g * (interval '29 days' / $ROWS),
         date_trunc('day', now()) - interval '29 days' + g * (interval '29 days' / $ROWS) + interval '2 seconds'
    FROM generate_series(1, $ROWS) g"
psql -qtAX "$URL" -c "ANALYZE transactions" >/dev/null
to=$(psql -qtAX "$URL" -c "SELECT (now() AT TIME ZONE '$zone')::date")
from=$(psql -qtAX "$URL" -c "SELECT ((now() AT TIME ZONE '$zone')::date - 30)")
total=$(psql -qtAX "$URL" -c "SELECT count(*) FROM transactions WHERE merchant_id = '$merchant'
  AND status = 'SUCCESS' AND created_at >= ('$from'::date)::timestamp AT TIME ZONE '$zone'")
echo "rows in the filter ($from .. $to, $zone): $total"

FIELDS="transaction_id,reference_transaction_id,transaction_request_id,acquirer_transaction_id,serial_no,transaction_type,status,amount,settlement_amount,settlement_quote,payment_method,acquirer,original_transaction_id,reason,created_at,finished_at"

start_server() {
  local port
  port="$(free_port 24000)"
  DATABASE_URL="$URL" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn \
    PAYDESK_REPORTS_INTERVAL_SECONDS=86400 PAYDESK_REPORTS_DAYS_BACK=0 \
    target/release/server serve >>"$OUT/export-server.log" 2>&1 &
  SERVER_PIDS=("$!")
  BASE="http://127.0.0.1:$port"
  wait_for_http "$BASE/readyz" 60 "${SERVER_PIDS[0]}" || die "the server did not start (see $OUT/export-server.log)"
  rm -f "$JAR"
  curl -fsS -o /dev/null -c "$JAR" -b "$JAR" -H "origin: $BASE" -H "accept: text/html" \
    --data-urlencode "email=finance@lotus.example" --data-urlencode "password=paydesk-demo" \
    --data-urlencode "next=" "$BASE/api/sign_in"
}

peak_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/${SERVER_PIDS[0]}/status"; }

# export FORMAT FILE: downloads into FILE; prints "seconds bytes peak_MB idle_MB"
export_once() {
  local ext="$1" file="$2" t0 t1 bytes
  start_server
  local before
  before=$(peak_mb)
  t0=$(date +%s.%N)
  bytes=$(curl -fsS -b "$JAR" -o "$file" -w '%{size_download}' \
    "$BASE/exports/transactions.$ext?from=$from&to=$to&fields=$FIELDS")
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') $bytes $(peak_mb) $before"
  stop_server
}

# three_at_once: three XLSX exports of the same filter started together on one server;
# prints "seconds peak_MB idle_MB".
three_at_once() {
  local t0 t1 before pids=()
  start_server
  before=$(peak_mb)
  t0=$(date +%s.%N)
  for _ in 1 2 3; do
    curl -fsS -b "$JAR" -o /dev/null "$BASE/exports/transactions.xlsx?from=$from&to=$to&fields=$FIELDS" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "one of the three exports failed"; done
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') $(peak_mb) $before"
  stop_server
}

log "COPY (SELECT ...) TO STDOUT WITH CSV of the same rows"
t0=$(date +%s.%N)
copy_bytes=$(psql -qtAX "$URL" -c "COPY (
  SELECT t.transaction_id, t.reference_transaction_id, t.transaction_request_id,
         t.acquirer_transaction_id, t.serial_no, t.transaction_type, t.status, t.amount_minor,
         t.currency, t.settlement_amount_minor, t.settlement_currency, t.settlement_quote,
         t.payment_method_type, t.acquirer_code, o.transaction_id, t.reason,
         t.created_at AT TIME ZONE '$zone', t.finished_at AT TIME ZONE '$zone'
    FROM transactions t LEFT JOIN transactions o ON o.id = t.original_id
   WHERE t.merchant_id = '$merchant' AND NOT (t.transaction_type = 'REFUND' AND t.status <> 'SUCCESS')
     AND t.created_at >= ('$from'::date)::timestamp AT TIME ZONE '$zone'
     AND t.created_at < ('$to'::date + 1)::timestamp AT TIME ZONE '$zone' AND t.status = 'SUCCESS'
   ORDER BY t.created_at DESC, t.id DESC) TO STDOUT WITH CSV HEADER" | wc -c)
t1=$(date +%s.%N)
copy_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

log "CSV export through HTTP"
read -r csv_s csv_bytes csv_peak csv_idle < <(export_once csv "$OUT/export.csv")
log "XLSX export through HTTP"
read -r xlsx_s xlsx_bytes xlsx_peak xlsx_idle < <(export_once xlsx /dev/null)

log "three XLSX exports at once"
read -r three_s three_peak three_idle < <(three_at_once)
log "reference: Python XlsxWriter (constant_memory) writing the CSV export's rows and columns"
ensure_python_venv
VENV=target/bench-venv
if [ ! -x "$VENV/bin/python" ] || [ bench/xlsx/requirements.txt -nt "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r bench/xlsx/requirements.txt
  touch "$VENV/bin/python"
fi
read -r py_rows py_s py_peak < <("$VENV/bin/python" bench/xlsx/write.py "$OUT/export.csv" "$OUT/reference.xlsx")
py_bytes=$(stat -c %s "$OUT/reference.xlsx")
rm -f "$OUT/export.csv" "$OUT/reference.xlsx"

rps() { awk -v n="$total" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
printf '\n%-44s %9s %12s %10s %14s\n' "" "seconds" "rows/s" "MB" "peak RSS MB"
printf '%-44s %9s %12s %10.1f %14s\n' "COPY (SELECT ...) TO STDOUT WITH CSV" "$copy_s" "$(rps "$copy_s")" "$(echo "$copy_bytes / 1048576" | bc -l)" "-"
printf '%-44s %9s %12s %10.1f %14s\n' "CSV export (HTTP, every field)" "$csv_s" "$(rps "$csv_s")" "$(echo "$csv_bytes / 1048576" | bc -l)" "$csv_peak (idle $csv_idle)"
printf '%-44s %9s %12s %10.1f %14s\n' "XLSX export (HTTP, every field)" "$xlsx_s" "$(rps "$xlsx_s")" "$(echo "$xlsx_bytes / 1048576" | bc -l)" "$xlsx_peak (idle $xlsx_idle)"
printf '%-44s %9s %12s %10.1f %14s\n' "Python XlsxWriter constant_memory (from CSV)" "$py_s" "$(rps "$py_s")" "$(echo "$py_bytes / 1048576" | bc -l)" "$py_peak"
printf '%-44s %9s %12s %10s %14s\n' "three XLSX exports at once (HTTP)" "$three_s" "$(rps "$(awk -v s="$three_s" 'BEGIN { print s / 3 }')")" "-" "$three_peak (idle $three_idle)"
echo "Python rows written: $py_rows"
echo "XLSX throughput / Python XlsxWriter throughput: $(awk -v a="$py_s" -v b="$xlsx_s" 'BEGIN { printf "%.2f", a / b }') (goal >= 5)"
echo "CSV throughput / COPY throughput: $(awk -v a="$copy_s" -v b="$csv_s" 'BEGIN { printf "%.2f", a / b }') (goal >= 0.9)"
