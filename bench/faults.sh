#!/usr/bin/env bash
# Fault injection: money and notifications stay exact when the server is killed with
# SIGKILL in the middle of asynchronous refunds and when PostgreSQL restarts.
#
# On a throwaway PostgreSQL cluster of its own (PostgreSQL's default durability: fsync
# and synchronous_commit on), with demo data, a key pair for Fjord Outdoor and PAYMENTS
# new PayPay payments (asynchronous refunds), it
#   1. runs a notifyRefund receiver on 127.0.0.1 (bench/faults/receiver.py) that records
#      every body and answers a share of them HTTP 500 on purpose;
#   2. sends REFUNDS signed refund requests (bench/faults/load.py): partial amounts, more
#      in all than the payments hold, some failing at the simulated acquirer, some sent
#      twice with the same refundRequestId; clients retry U answers and connection
#      failures with the same refundRequestId;
#   3. meanwhile kills one of the INSTANCES servers (behind HAProxy, which the clients
#      talk to) with SIGKILL KILLS times, every 2 to 4 s, restarting it each time, and
#      stops PostgreSQL PG_RESTARTS times for PG_DOWN_SECONDS (immediate and fast mode in
#      turn; during every second outage a server is SIGKILLed too and restarted at once,
#      so its first starts fail until PostgreSQL is back);
#   4. lets the servers settle every refund and deliver every notification, then
#      checks the invariants (bench/faults/check.py) and prints a summary.
# Exits non-zero when an invariant fails. Logs stay in bench/out/faults/.
#
# Needs the release binary (target/release/server, not rebuilt here), psql and the
# PostgreSQL server binaries, and a Python with `cryptography` (the SDK check's venv,
# target/sdk-venv, by default).
#
#   bench/faults.sh
#   KILLS=40 PG_RESTARTS=3 REFUNDS=3000 RATE=15 FAULTS_SEED=7 bench/faults.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

PAYMENTS="${PAYMENTS:-40}"                # PayPay payments of Fjord Outdoor
PAYMENT_AMOUNT="${PAYMENT_AMOUNT:-10000}" # each, in yen
REFUNDS="${REFUNDS:-1200}"                # refundRequestIds sent
REFUND_MIN="${REFUND_MIN:-100}"           # each refund's amount: REFUND_MIN..REFUND_MAX yen
REFUND_MAX="${REFUND_MAX:-600}"
RATE="${RATE:-12}"                        # new refunds per second
CONCURRENCY="${CONCURRENCY:-16}"          # clients
INSTANCES="${INSTANCES:-2}"               # servers behind the balancer
REPEAT_PCT="${REPEAT_PCT:-15}"            # refunds sent twice with the same refundRequestId
FAIL_PCT="${FAIL_PCT:-20}"                # refunds the simulated acquirer fails
NOTIFY_URL_PCT="${NOTIFY_URL_PCT:-50}"    # refunds naming a refundNotifyUrl
RECEIVER_FAIL_PCT="${RECEIVER_FAIL_PCT:-10}" # notifications the receiver answers with 500
KILLS="${KILLS:-20}"                      # SIGKILLs of the server
KILL_MIN_MS="${KILL_MIN_MS:-2000}"        # pause before each fault
KILL_MAX_MS="${KILL_MAX_MS:-4000}"
PG_RESTARTS="${PG_RESTARTS:-2}"           # PostgreSQL stops and starts
PG_DOWN_SECONDS="${PG_DOWN_SECONDS:-7}"   # down each time: longer than the pool's 5 s wait
ASYNC_DELAY="${ASYNC_DELAY:-1}"           # PAYDESK_ASYNC_REFUND_DELAY_SECONDS
DRAIN_TIMEOUT="${DRAIN_TIMEOUT:-240}"     # seconds to settle and deliver everything after the load
LOAD_DEADLINE="${LOAD_DEADLINE:-900}"     # seconds a client keeps retrying
SEED_TRANSACTIONS="${SEED_TRANSACTIONS:-2000}"
FAULTS_SEED="${FAULTS_SEED:-$((RANDOM * 32768 + RANDOM))}"
SERVER_BIN="${SERVER_BIN:-target/release/server}"
PYTHON="${PYTHON:-target/sdk-venv/bin/python}"
OUT="${OUT:-bench/out/faults}"

export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ beside the helpers
RANDOM=$FAULTS_SEED
STARTED=$SECONDS
TAG="FLT$FAULTS_SEED"
DB=paydesk_faults

[ -x "$SERVER_BIN" ] || die "$SERVER_BIN is missing: build it first (cargo leptos build --release)"
"$PYTHON" -c 'import cryptography' 2>/dev/null \
  || die "$PYTHON has no cryptography module (python3 -m venv target/sdk-venv && target/sdk-venv/bin/pip install cryptography)"
command -v psql >/dev/null || die "psql is missing"
ensure_postgres

mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.jsonl "$OUT"/*.txt "$OUT"/*.json
WORK="$(mktemp -d "${TMPDIR:-/tmp}/paydesk-faults.XXXXXX")"
PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/paydesk-faults-pg.XXXXXX")"
if is_root; then chown postgres: "$PGDIR"; fi

LOAD_PID=""
RECEIVER_PID=""
PG_UP_PID=""
INSTANCE_PIDS=() # by instance; the balancer is in SERVER_PIDS (stop_server)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "$LOAD_PID" "$RECEIVER_PID" "$PG_UP_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  for pid in "${INSTANCE_PIDS[@]}"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  stop_server
  if [ -f "$PGDIR/data/PG_VERSION" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDIR/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  cp "$PGDIR/postgres.log" "$OUT/postgres.log" 2>/dev/null || true
  rm -rf "$PGDIR" "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

event() { printf '%s +%ds %s\n' "$(date -u +%H:%M:%S)" $((SECONDS - STARTED)) "$*" >>"$OUT/faults.log"; }

# ---------------------------------------------------------------------------------------
# The throwaway cluster
# ---------------------------------------------------------------------------------------
log "initdb (throwaway cluster)"
_pg_as_owner "$PG_BIN/initdb" -D "$PGDIR/data" --username=postgres --auth=trust \
  --encoding=UTF8 --no-locale >"$OUT/initdb.log" 2>&1 || { cat "$OUT/initdb.log" >&2; die "initdb failed"; }
# Below the ephemeral range (32768 and up): while PostgreSQL is down, an outgoing
# connection (a health check, a server reconnecting) could take a port from that range.
PG_PORT="$(free_port 26000)"
PG_OPTS="-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='$PGDIR' -c max_connections=200"
pg_up() {
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w -t 60 \
    -o "$PG_OPTS" start >/dev/null
}
pg_down() { _pg_as_owner "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m "$1" -w -t 60 stop >/dev/null; }
pg_up || { tail -n 20 "$PGDIR/postgres.log" >&2; die "PostgreSQL did not start"; }
ADMIN_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
psql_admin "$ADMIN_URL" -c "CREATE DATABASE $DB"
export DATABASE_URL
DATABASE_URL="$(url_with_db "$ADMIN_URL" "$DB")"
log "PostgreSQL on 127.0.0.1:$PG_PORT (database $DB), seed $FAULTS_SEED"

# ---------------------------------------------------------------------------------------
# Data, keys, receiver, payments
# ---------------------------------------------------------------------------------------
export_leptos_env
export PAYDESK_NOTIFY_ALLOW_PRIVATE=true
"$SERVER_BIN" migrate >"$OUT/seed.log" 2>&1
log "server seed --transactions $SEED_TRANSACTIONS"
"$SERVER_BIN" seed --transactions "$SEED_TRANSACTIONS" >>"$OUT/seed.log" 2>&1

RECEIVER_PORT="$(free_port 24000)"
MERCHANT_NOTIFY_URL="http://127.0.0.1:$RECEIVER_PORT/notify/merchant"
REQUEST_NOTIFY_URL="http://127.0.0.1:$RECEIVER_PORT/notify/request"
CLIENT_ID="$("$SERVER_BIN" keys demo --merchant "Fjord Outdoor" --out-dir "$WORK" \
  --notify-url "$MERCHANT_NOTIFY_URL" | sed -n 's/^Client-Id: *//p')"
[ -n "$CLIENT_ID" ] || die "server keys demo printed no Client-Id"
touch "$OUT/receiver.jsonl"
"$PYTHON" bench/faults/receiver.py --port "$RECEIVER_PORT" --log "$OUT/receiver.jsonl" \
  --platform-key "$WORK/paydesk-platform.public.pem" --fail-pct "$RECEIVER_FAIL_PCT" \
  --seed "$FAULTS_SEED" >"$OUT/receiver.log" 2>&1 &
RECEIVER_PID=$!

log "$PAYMENTS PayPay payments of $PAYMENT_AMOUNT yen"
for _ in $(seq 1 "$PAYMENTS"); do
  "$SERVER_BIN" seed payment --merchant fjord --method PAYPAY --amount "$PAYMENT_AMOUNT" >>"$WORK/payment-ids"
done
ids="$(sed "s/.*/'&'/" "$WORK/payment-ids" | paste -sd,)"
psql_admin "$DATABASE_URL" -F ' ' -c "SELECT transaction_id, amount_minor FROM transactions
  WHERE transaction_id IN ($ids) ORDER BY id" >"$WORK/payments"
[ "$(wc -l <"$WORK/payments")" -eq "$PAYMENTS" ] || die "not every payment was made"

# What the merchant held before the first refund: the checks compare against it.
psql_admin "$DATABASE_URL" -c "
  SELECT json_build_object('merchant_id', m.id, 'currency', p.currency,
           'balance', b.available_minor,
           'ledger_max_id', (SELECT coalesce(max(id), 0) FROM balance_entries))
    FROM merchants m
    JOIN transactions p ON p.merchant_id = m.id AND p.transaction_id = '$(head -n 1 "$WORK/payment-ids")'
    JOIN merchant_balances b ON b.merchant_id = m.id AND b.currency = p.currency" >"$OUT/baseline.json"

# ---------------------------------------------------------------------------------------
# The server, started again after every SIGKILL
# ---------------------------------------------------------------------------------------
export RUST_LOG="${RUST_LOG:-info,sqlx=warn,tower_sessions=warn}"
export PAYDESK_ASYNC_REFUND_DELAY_SECONDS="$ASYNC_DELAY" PAYDESK_WORKER_POLL_MS=200
export PAYDESK_NOTIFY_RETRY_SCHEDULE="0,1,1,1,1,1,1,1" PAYDESK_NOTIFY_TIMEOUT_SECONDS=3
export PAYDESK_API_RATE_PER_SECOND=0 PAYDESK_API_ADDRESS_RATE_PER_SECOND=0 NO_COLOR=1
PORTS=()
for ((i = 0; i < INSTANCES; i++)); do PORTS+=("$(free_port $((23000 + 100 * i)))"); done
SERVER_STARTS=0
FAILED_STARTS=0
# start_instance I: starts server I on its port, again and again until it is ready
# (its starts fail while PostgreSQL is down).
start_instance() {
  local i="$1" attempt pid
  for attempt in $(seq 1 30); do
    SERVER_STARTS=$((SERVER_STARTS + 1))
    echo "=== server $i start $SERVER_STARTS at $(date -u +%H:%M:%S.%N)" >>"$OUT/server.log"
    LEPTOS_SITE_ADDR="127.0.0.1:${PORTS[i]}" "$SERVER_BIN" serve >>"$OUT/server.log" 2>&1 &
    pid=$!
    INSTANCE_PIDS[i]=$pid
    if wait_for_http "http://127.0.0.1:${PORTS[i]}/readyz" 60 "$pid"; then
      event "server $i started (pid $pid)"
      return 0
    fi
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    FAILED_STARTS=$((FAILED_STARTS + 1))
    event "server $i start $SERVER_STARTS failed (attempt $attempt)"
    sleep 1
  done
  die "server $i did not start (see $OUT/server.log)"
}

pending_sql="SELECT
   (SELECT count(*) FROM refund_requests
     WHERE refund_request_id LIKE '$TAG-%' AND acquirer_pending_since IS NOT NULL) || ' ' ||
   (SELECT count(*) FROM refund_notifications n JOIN transactions t ON t.id = n.refund_id
     WHERE t.transaction_request_id LIKE '$TAG-%' AND n.status = 'PENDING')"
pending() { psql_admin "$DATABASE_URL" -c "$pending_sql" 2>/dev/null || echo "? ?"; }

UNEXPECTED_EXITS=0
KILLS_IN_FLIGHT=0 # SIGKILLs that left refunds PROCESSING or notifications undelivered
IN_FLIGHT=""
VICTIM=0
# kill_instance: SIGKILLs one server, chosen at random, and notes what was in flight.
kill_instance() {
  VICTIM=$((RANDOM % INSTANCES))
  local pid="${INSTANCE_PIDS[VICTIM]}"
  if kill -KILL "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    local undecided undelivered
    read -r undecided undelivered < <(pending)
    IN_FLIGHT="$undecided refunds processing, $undelivered notifications pending"
    if [[ "$undecided" =~ ^[1-9] || "$undelivered" =~ ^[1-9] ]]; then
      KILLS_IN_FLIGHT=$((KILLS_IN_FLIGHT + 1))
    fi
    event "server $VICTIM SIGKILLed (pid $pid): $IN_FLIGHT"
  else
    local rc=0
    wait "$pid" 2>/dev/null || rc=$?
    UNEXPECTED_EXITS=$((UNEXPECTED_EXITS + 1))
    event "server $VICTIM (pid $pid) had exited by itself with status $rc"
  fi
  INSTANCE_PIDS[VICTIM]=""
}

pause_ms() { local ms=$1; sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"; }
random_ms() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }

for ((i = 0; i < INSTANCES; i++)); do start_instance "$i"; done
LOG_DIR="$OUT"
backends=()
for port in "${PORTS[@]}"; do backends+=("127.0.0.1:$port"); done
start_balancer faults "$(free_port 22000)" "${backends[@]}" || die "HAProxy did not start"
BASE="$SERVER_URL"
log "$INSTANCES servers behind $BASE; async refunds decided after ${ASYNC_DELAY}s"

# ---------------------------------------------------------------------------------------
# Rolling restart: each server stopped with SIGTERM in turn, under load; nothing fails
# ---------------------------------------------------------------------------------------
# Another merchant's synchronous refunds (Lotus Tea House, Alipay+ CN, in CNY), so that
# the invariants below stay about Fjord's. A client here never needs a retry: a stopped
# server fails /readyz while it still serves (PAYDESK_SHUTDOWN_DRAIN_SECONDS), HAProxy
# takes it out, and what it was serving finishes.
GRACEFUL_RETRIES="?"
GRACEFUL_UNANSWERED="?"
rolling_restart() {
  local client pid i
  mkdir -p "$WORK/lotus"
  client="$("$SERVER_BIN" keys demo --merchant "Lotus Tea House" --out-dir "$WORK/lotus" \
    | sed -n 's/^Client-Id: *//p')"
  [ -n "$client" ] || die "server keys demo printed no Client-Id for Lotus"
  for _ in $(seq 1 20); do
    "$SERVER_BIN" seed payment --merchant lotus --method ALIPAY_CN --amount 1000.00 >>"$WORK/lotus/ids"
  done
  psql_admin "$DATABASE_URL" -F ' ' -c "SELECT transaction_id, amount_minor FROM transactions
    WHERE transaction_id IN ($(sed "s/.*/'&'/" "$WORK/lotus/ids" | paste -sd,))" >"$WORK/lotus/payments"
  log "rolling restart: each of the $INSTANCES servers SIGTERMed in turn during $((RATE * 8 * INSTANCES)) refunds"
  "$PYTHON" bench/faults/load.py --base "$BASE" --client-id "$client" \
    --private-key "$WORK/lotus/$client.private.pem" --platform-key "$WORK/lotus/paydesk-platform.public.pem" \
    --payments "$WORK/lotus/payments" --currency CNY --refunds "$((RATE * 8 * INSTANCES))" \
    --rate "$RATE" --concurrency "$CONCURRENCY" --repeat-pct 0 --fail-pct 0 --notify-url-pct 0 \
    --request-notify-url "$REQUEST_NOTIFY_URL" --tag "G$TAG" --deadline 120 --seed "$FAULTS_SEED" \
    --out "$OUT/graceful.jsonl" >"$OUT/graceful.log" 2>&1 &
  LOAD_PID=$!
  for ((i = 0; i < INSTANCES; i++)); do
    sleep 2
    pid="${INSTANCE_PIDS[i]}"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    event "server $i stopped with SIGTERM (pid $pid)"
    start_instance "$i"
  done
  wait "$LOAD_PID" || die "the rolling restart's load generator failed (see $OUT/graceful.log)"
  LOAD_PID=""
  tail -n 1 "$OUT/graceful.log" >&2
  read -r GRACEFUL_RETRIES GRACEFUL_UNANSWERED < <("$PYTHON" -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
retries = lines[-1]["summary"].get("retries", 0)
unanswered = sum(1 for r in lines[:-1] if any(a is None for a in r["answers"]))
print(retries, unanswered)' "$OUT/graceful.jsonl")
  event "rolling restart: $GRACEFUL_RETRIES retries, $GRACEFUL_UNANSWERED refunds without an answer"
}
if [ "$INSTANCES" -gt 1 ]; then rolling_restart; fi

# ---------------------------------------------------------------------------------------
# Load and faults
# ---------------------------------------------------------------------------------------
log "load: $REFUNDS refunds at $RATE/s, $CONCURRENCY clients; faults: $KILLS SIGKILLs, $PG_RESTARTS PostgreSQL restarts"
"$PYTHON" bench/faults/load.py --base "$BASE" --client-id "$CLIENT_ID" \
  --private-key "$WORK/$CLIENT_ID.private.pem" --platform-key "$WORK/paydesk-platform.public.pem" \
  --payments "$WORK/payments" --refunds "$REFUNDS" --rate "$RATE" --concurrency "$CONCURRENCY" \
  --min-amount "$REFUND_MIN" --max-amount "$REFUND_MAX" --repeat-pct "$REPEAT_PCT" \
  --fail-pct "$FAIL_PCT" --notify-url-pct "$NOTIFY_URL_PCT" --request-notify-url "$REQUEST_NOTIFY_URL" \
  --tag "$TAG" --deadline "$LOAD_DEADLINE" --seed "$FAULTS_SEED" --out "$OUT/load.jsonl" \
  >"$OUT/load.log" 2>&1 &
LOAD_PID=$!

# The PostgreSQL restarts fall between the SIGKILLs, spread evenly. Every second one
# also SIGKILLs the server while PostgreSQL is down and starts it again at once: its
# starts fail until PostgreSQL is back.
EVENTS=$((KILLS + PG_RESTARTS))
PG_AT=" "
for j in $(seq 1 "$PG_RESTARTS"); do PG_AT+="$((j * EVENTS / (PG_RESTARTS + 1))) "; done
kills=0
pg_restarts=0
for ((n = 1; n <= EVENTS; n++)); do
  pause_ms "$(random_ms "$KILL_MIN_MS" "$KILL_MAX_MS")"
  if [[ "$PG_AT" == *" $((n - 1)) "* ]]; then
    pg_restarts=$((pg_restarts + 1))
    mode=$([ $((pg_restarts % 2)) -eq 1 ] && echo immediate || echo fast)
    pg_down "$mode"
    event "PostgreSQL stopped ($mode); down for ${PG_DOWN_SECONDS}s"
    if ((pg_restarts % 2 == 0)); then
      log "fault $n/$EVENTS: PostgreSQL stopped ($mode), a server SIGKILLed while it is down"
      (sleep "$PG_DOWN_SECONDS" && pg_up) &
      PG_UP_PID=$!
      kill_instance
      kills=$((kills + 1))
      start_instance "$VICTIM"
      wait "$PG_UP_PID" || die "PostgreSQL did not start again"
      PG_UP_PID=""
    else
      log "fault $n/$EVENTS: PostgreSQL stopped ($mode)"
      sleep "$PG_DOWN_SECONDS"
      pg_up || die "PostgreSQL did not start again"
    fi
    event "PostgreSQL started"
  else
    kill_instance
    kills=$((kills + 1))
    log "fault $n/$EVENTS: server $VICTIM SIGKILLed ($IN_FLIGHT)"
    pause_ms "$(random_ms 0 1000)"
    start_instance "$VICTIM"
  fi
done
log "faults done; waiting for the load to finish"
load_rc=0
wait "$LOAD_PID" || load_rc=$?
LOAD_PID=""
tail -n 1 "$OUT/load.log" >&2
[ "$load_rc" -eq 0 ] || die "the load generator failed (see $OUT/load.log)"
event "load finished"

# ---------------------------------------------------------------------------------------
# Drain: every refund decided, every notification delivered (or given up)
# ---------------------------------------------------------------------------------------
log "draining: refunds to decide and notifications to deliver (at most ${DRAIN_TIMEOUT}s)"
drained=no
deadline=$((SECONDS + DRAIN_TIMEOUT))
last_report=0
while ((SECONDS < deadline)); do
  read -r undecided undelivered < <(pending)
  if [ "$undecided" = 0 ] && [ "$undelivered" = 0 ]; then
    drained=yes
    break
  fi
  if ((SECONDS - last_report >= 10)); then
    log "  $undecided refunds undecided, $undelivered notifications pending"
    last_report=$SECONDS
  fi
  sleep 1
done
event "drained: $drained"
for ((i = 0; i < INSTANCES; i++)); do
  if ! kill -0 "${INSTANCE_PIDS[i]}" 2>/dev/null; then
    UNEXPECTED_EXITS=$((UNEXPECTED_EXITS + 1))
    event "server $i had exited by itself"
  fi
done

# ---------------------------------------------------------------------------------------
# Invariants
# ---------------------------------------------------------------------------------------
check_rc=0
"$PYTHON" bench/faults/check.py --db "$DATABASE_URL" --tag "$TAG" --load "$OUT/load.jsonl" \
  --receiver-log "$OUT/receiver.jsonl" --payments "$WORK/payments" --baseline "$OUT/baseline.json" \
  --server-log "$OUT/server.log" --merchant-notify-url "$MERCHANT_NOTIFY_URL" \
  --kills "$kills" --pg-restarts "$pg_restarts" --server-starts "$SERVER_STARTS" \
  --unexpected-exits "$UNEXPECTED_EXITS" --failed-starts "$FAILED_STARTS" \
  --kills-in-flight "$KILLS_IN_FLIGHT" \
  --drained "$drained" --summary-out "$OUT/summary.txt" || check_rc=$?
if [ "$INSTANCES" -gt 1 ]; then
  verdict=ok
  if [ "$GRACEFUL_RETRIES" != 0 ] || [ "$GRACEFUL_UNANSWERED" != 0 ]; then
    verdict=FAILED
    check_rc=1
  fi
  printf '%-56s %s\n' "rolling restart (SIGTERM each server): failed requests" \
    "$GRACEFUL_RETRIES, unanswered $GRACEFUL_UNANSWERED: $verdict" | tee -a "$OUT/summary.txt"
fi
elapsed=$((SECONDS - STARTED))
printf '%-56s %s\n' "run time" "${elapsed}s (seed $FAULTS_SEED)" | tee -a "$OUT/summary.txt"
exit "$check_rc"
