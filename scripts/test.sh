#!/usr/bin/env bash
# Runs every test: the Rust tests (cargo test -p app -p server, against PostgreSQL) and the
# browser tests (Playwright in Debian's Chromium, against a debug build of the server
# with fresh demo data). Installs what is missing first; exits non-zero if anything failed.
#
# While working on one feature: PAYDESK_SKIP_RUST=1 skips the Rust tests, and any
# arguments go to Playwright (e.g. `scripts/test.sh tests/refunds.spec.ts`).
#
# Uses DATABASE_URL when it is set (the user must be allowed to CREATE DATABASE);
# otherwise starts (or reuses) the private cluster in .pg/ and stops it again at the end
# if it started it. Logs go to target/test-logs/.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

PLAYWRIGHT_ARGS=("$@")
LOG_DIR=target/test-logs
mkdir -p "$LOG_DIR"
E2E_DB=paydesk_e2e
E2E_TRANSACTIONS="${PAYDESK_E2E_TRANSACTIONS:-3000}"

# Tools: fast ones first so that a broken apt or npm shows up before the long cargo
# installs. wasm-opt is not needed: debug builds don't run it.
ensure_postgres
ensure_chromium
ensure_node
ensure_e2e_deps
ensure_wasm_target
ensure_wasm_bindgen
ensure_cargo_leptos

# One run at a time per checkout: runs side by side would rebuild target/ under each
# other, drop each other's paydesk_e2e database and collide in sqlx::test, whose database
# names are fixed per test.
take_lock "$PG_STATE_DIR/test.lock" \
  "another scripts/test.sh is running in this checkout; waiting for it to finish"

cleanup() {
  stop_server
  pg_stop_if_started_here
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

use_admin_url

# count_results LOG KIND: prints "PASSED FAILED" read from a runner's closing lines.
count_results() {
  local file="$1" kind="$2"
  case "$kind" in
    cargo)
      # test result: ok. 12 passed; 0 failed; 1 ignored; ...
      sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$file" \
        | awk '{p += $1; f += $2} END {print p + 0, f + 0}'
      ;;
    playwright)
      # "  3 passed (4.2s)", "  1 failed", "  1 flaky" (a flaky test failed at least once)
      sed 's/\x1b\[[0-9;]*m//g' "$file" \
        | awk '$2 == "passed" && $1 ~ /^[0-9]+$/ {p += $1}
               ($2 == "failed" || $2 == "flaky" || $2 == "interrupted") && $1 ~ /^[0-9]+$/ {f += $1}
               END {print p + 0, f + 0}'
      ;;
  esac
}

# ---- 1. Rust tests -------------------------------------------------------------------
# sqlx::test creates a database per test through this URL. --no-fail-fast: one failing
# test binary must not hide the results of the others.
rust_started=$SECONDS
# app and server are tested together, so app's tests run with the server-side `ssr`
# code they cover (a whole-workspace build would also switch on the browser's `hydrate`).
log "cargo test -p app -p server"
if [ -n "${PAYDESK_SKIP_RUST:-}" ]; then
  log "PAYDESK_SKIP_RUST is set: skipping the Rust tests"
  : >"$LOG_DIR/cargo-test.log"
  rust_rc=0
elif DATABASE_URL="$ADMIN_URL" cargo test -p app -p server --no-fail-fast 2>&1 | tee "$LOG_DIR/cargo-test.log"; then
  rust_rc=0
else
  rust_rc=$?
fi
rust_secs=$((SECONDS - rust_started))
read -r rust_passed rust_failed < <(count_results "$LOG_DIR/cargo-test.log" cargo)

# ---- 2. Browser tests ----------------------------------------------------------------
# Written with explicit `|| return` checks: set -e does not apply inside a function
# that is called as an `if` condition.
run_e2e() {
  log "cargo leptos build (debug)"
  cargo leptos build 2>&1 | tee "$LOG_DIR/leptos-build.log" || return 1

  local db_url
  db_url="$(url_with_db "$ADMIN_URL" "$E2E_DB")"
  recreate_database "$ADMIN_URL" "$E2E_DB" || return 1

  export_leptos_env
  log "migrating and seeding $E2E_DB ($E2E_TRANSACTIONS transactions)"
  DATABASE_URL="$db_url" target/debug/server migrate || return 1
  DATABASE_URL="$db_url" target/debug/server seed --transactions "$E2E_TRANSACTIONS" \
    >"$LOG_DIR/seed.log" 2>&1 || { cat "$LOG_DIR/seed.log" >&2; return 1; }

  local port base_url
  port="$(free_port 30000)"
  base_url="http://127.0.0.1:$port"
  log "starting the server on $base_url (log: $LOG_DIR/server.log)"
  # Asynchronous refunds settle after 3 s rather than 10, so the browser test that
  # waits for one is quick.
  without_locks env DATABASE_URL="$db_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    PAYDESK_ASYNC_REFUND_DELAY_SECONDS=3 RUST_LOG="${RUST_LOG:-info}" target/debug/server serve >"$LOG_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  if ! wait_for_http "$base_url/healthz" 60 "$SERVER_PID"; then
    printf '\nthe server did not answer %s/healthz within 60 s; its log:\n' "$base_url" >&2
    tail -n 100 "$LOG_DIR/server.log" >&2
    stop_server
    return 1
  fi

  log "npx playwright test"
  local rc=0
  (cd end2end && BASE_URL="$base_url" PLAYWRIGHT_OUTPUT_DIR="$REPO_ROOT/$LOG_DIR/playwright-results" \
    npx --no-install playwright test "${PLAYWRIGHT_ARGS[@]}") 2>&1 \
    | tee "$LOG_DIR/playwright.log" || rc=$?
  stop_server
  if [ "$rc" -ne 0 ]; then
    printf '\nlast lines of the server log (%s/server.log):\n' "$LOG_DIR" >&2
    tail -n 40 "$LOG_DIR/server.log" >&2
  fi
  return "$rc"
}

: >"$LOG_DIR/playwright.log"
e2e_started=$SECONDS
if run_e2e; then
  e2e_rc=0
else
  e2e_rc=$?
fi
e2e_secs=$((SECONDS - e2e_started))
read -r e2e_passed e2e_failed < <(count_results "$LOG_DIR/playwright.log" playwright)

# ---- Summary -------------------------------------------------------------------------
# A stage that failed before any test could fail (a build error, a server that did not
# start) counts as one failure, so the totals never read as green.
[ "$rust_rc" -ne 0 ] && [ "$rust_failed" -eq 0 ] && rust_failed=1
[ "$e2e_rc" -ne 0 ] && [ "$e2e_failed" -eq 0 ] && e2e_failed=1
verdict() { if [ "$1" -eq 0 ]; then echo ok; else echo FAILED; fi; }

echo
echo "==================================== summary ===================================="
printf 'rust tests (cargo test -p app -p server): %-6s %d passed; %d failed (%ds)\n' \
  "$(verdict "$rust_rc")" "$rust_passed" "$rust_failed" "$rust_secs"
printf 'browser tests (playwright):               %-6s %d passed; %d failed (%ds)\n' \
  "$(verdict "$e2e_rc")" "$e2e_passed" "$e2e_failed" "$e2e_secs"
echo "logs: $LOG_DIR/"
echo "total: $((rust_passed + e2e_passed)) passed, $((rust_failed + e2e_failed)) failed"

[ "$rust_rc" -eq 0 ] && [ "$e2e_rc" -eq 0 ]
