# shellcheck shell=bash
# Helpers shared by scripts/run.sh and scripts/test.sh. Source it, don't run it.
#
# Everything here is idempotent: each tool is installed only when the right version is
# missing, and the private PostgreSQL cluster is reused when it is already running, so
# a second run costs seconds, not the half hour a cold machine needs.

# Versions that build together with this workspace (see Cargo.toml / Cargo.lock).
CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs a newer rustc
WASM_BINDGEN_VERSION=0.2.130  # must equal the wasm-bindgen crate pinned in Cargo.toml
WASM_OPT_VERSION=0.116.1      # Debian's binaryen (108) emits wasm that breaks in the browser
SQLX_CLI_VERSION=0.8.6        # must equal the sqlx crate: it writes and checks .sqlx/
CARGO_DENY_VERSION=0.20.2

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_STATE_DIR="$REPO_ROOT/.pg"

# cargo-installed tools must win over Debian's (an old /usr/bin/wasm-opt in particular).
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------

_APT_UPDATED=0
apt_install() {
  if ! is_root; then
    die "missing system packages: $*; install them with: sudo apt-get install -y $*"
  fi
  if [ "$_APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq
    _APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -qw "$CARGO_LEPTOS_VERSION"; then
    return
  fi
  # no_downloads: cargo-leptos must use the wasm-bindgen/wasm-opt on PATH instead of
  # fetching prebuilt binaries. LTO off roughly halves the install time on 2 cores.
  log "cargo install cargo-leptos@$CARGO_LEPTOS_VERSION (slow the first time: ~15 min)"
  CARGO_PROFILE_RELEASE_LTO=false \
    cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads --force
}

ensure_wasm_bindgen() {
  if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
    return
  fi
  # No --locked: one of its locked dependency versions is no longer on crates.io.
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~3 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
}

ensure_wasm_opt() {
  if wasm-opt --version 2>/dev/null | grep -q 'version 116'; then
    return
  fi
  log "cargo install wasm-opt@$WASM_OPT_VERSION (slow the first time: ~11 min)"
  cargo install "wasm-opt@$WASM_OPT_VERSION" --locked --force
}

ensure_sqlx_cli() {
  if cargo sqlx --version 2>/dev/null | grep -qw "$SQLX_CLI_VERSION"; then
    return
  fi
  log "cargo install sqlx-cli@$SQLX_CLI_VERSION (~4 min)"
  cargo install "sqlx-cli@$SQLX_CLI_VERSION" --locked --no-default-features \
    --features postgres,rustls --force
}

ensure_cargo_deny() {
  if cargo deny --version 2>/dev/null | grep -qw "$CARGO_DENY_VERSION"; then
    return
  fi
  log "cargo install cargo-deny@$CARGO_DENY_VERSION (~4 min)"
  cargo install "cargo-deny@$CARGO_DENY_VERSION" --locked --force
}

# The newest installed PostgreSQL server binaries, e.g. /usr/lib/postgresql/15/bin.
pg_bindir() {
  local d
  d="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -name initdb -path '*/bin/*' 2>/dev/null \
        | sort -V | tail -n 1)"
  [ -n "$d" ] && dirname "$d"
}

ensure_postgres() {
  if [ -z "$(pg_bindir)" ] || ! command -v psql >/dev/null; then
    apt_install postgresql
  fi
  PG_BIN="$(pg_bindir)" || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
}

# With a font for Chinese: the pages speak Simplified Chinese, and a browser without
# one draws boxes (in the screenshots, and for axe's contrast checks).
ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  fc-list :lang=zh 2>/dev/null | grep -q . || apt_install fonts-noto-cjk
}

# libfaketime, which the browser tests use to run PostgreSQL, the server and the seed at
# other dates. Sets FAKETIME_LIB to the library's path.
ensure_faketime() {
  FAKETIME_LIB="$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' 2>/dev/null | head -n 1)"
  if [ -z "$FAKETIME_LIB" ]; then
    apt_install libfaketime
    FAKETIME_LIB="$(find /usr/lib -name libfaketime.so.1 -path '*faketime*' | head -n 1)"
  fi
  [ -n "$FAKETIME_LIB" ] || die "libfaketime.so.1 not found after installing libfaketime"
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
}

# python3 with venv and pip, for the SDK check's virtualenv: Debian ships venv (and the
# ensurepip that bootstraps pip into it) apart from python3.
ensure_python_venv() {
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3 python3-venv
  fi
}

# Installs end2end/node_modules from package-lock.json when it is missing or stale.
# Browsers are never downloaded: the tests drive Debian's /usr/bin/chromium.
ensure_e2e_deps() {
  local dir="$REPO_ROOT/end2end"
  local stamp="$dir/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ] \
      && [ -d "$dir/node_modules/@playwright/test" ]; then
    return
  fi
  log "npm ci (end2end)"
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
}

# ---------------------------------------------------------------------------------------
# Locks
#
# flock(1) on a descriptor of this shell. Children inherit such descriptors, so anything
# that may outlive the script (postgres above all) is started through without_locks:
# otherwise it would hold the lock for as long as it runs.
# ---------------------------------------------------------------------------------------

_LOCK_FDS=()

# take_lock FILE [MESSAGE]: waits for an exclusive lock on FILE, saying MESSAGE if busy.
# Prints nothing; the lock is held until release_lock or the end of the script.
take_lock() {
  local file="$1" msg="${2:-waiting for $1}" fd
  mkdir -p "$(dirname "$file")"
  exec {fd}>"$file"
  if ! flock -n "$fd"; then
    log "$msg"
    flock "$fd"
  fi
  _LOCK_FDS+=("$fd")
  _LAST_LOCK_FD="$fd"
}

# release_lock FD
release_lock() {
  local fd="$1" kept=() f
  exec {fd}>&-
  for f in "${_LOCK_FDS[@]}"; do
    [ "$f" = "$fd" ] || kept+=("$f")
  done
  _LOCK_FDS=("${kept[@]}")
}

# without_locks CMD...: closes the lock descriptors, then runs CMD (exec's it when it is
# a program). Closing them releases the locks, so only call it in a subshell or as a
# background job: `(without_locks cmd)` or `without_locks prog &`, where $! is then the
# program's own pid.
without_locks() {
  local fd
  for fd in "${_LOCK_FDS[@]}"; do
    exec {fd}>&-
  done
  if declare -F "$1" >/dev/null; then "$@"; else exec "$@"; fi
}

# ---------------------------------------------------------------------------------------
# Ports and HTTP
# ---------------------------------------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints a free TCP port at or above $1 (default 20000), starting at a random offset so
# that two checkouts on one machine rarely pick the same one.
free_port() {
  local base="${1:-20000}" p i
  p=$((base + RANDOM % 2000))
  for ((i = 0; i < 500; i++)); do
    if ! port_in_use "$p"; then
      echo "$p"
      return 0
    fi
    p=$((p + 1))
  done
  die "no free TCP port found above $base"
}

# wait_for_http URL TIMEOUT_SECONDS [PID]: polls until URL answers 2xx; gives up early
# when PID (the server being waited for) has died.
wait_for_http() {
  local url="$1" timeout="$2" pid="${3:-}" deadline
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}

# ---------------------------------------------------------------------------------------
# Private PostgreSQL cluster
#
# .pg/           state kept in the repo (git-ignored)
#   port         the TCP port the cluster listens on (127.0.0.1 only)
#   cluster/     data/, run/ (unix socket), postgres.log; owned by the postgres user
#                when running as root. If that user cannot reach the repo (it lives under
#                a directory closed to other users), cluster is a symlink to a directory
#                under the postgres user's home instead, named after the repo path.
#
# The cluster trusts every local connection: it only listens on loopback and holds
# throwaway development data. fsync is off for the same reason: tests create and drop
# many databases and durability buys nothing here.
# ---------------------------------------------------------------------------------------

PG_SUPERUSER=postgres
PG_STARTED_HERE=0
PG_LOCK_FD=

# Runs a command as the owner of the cluster: initdb and postgres refuse to run as root.
_pg_as_owner() {
  if is_root; then
    # From /: the caller's working directory may be closed to the postgres user.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Serialises starting and stopping the cluster between scripts running side by side.
_pg_lock() {
  take_lock "$PG_STATE_DIR/lock" "waiting for another script to start PostgreSQL"
  PG_LOCK_FD="$_LAST_LOCK_FD"
}

_pg_unlock() {
  if [ -n "$PG_LOCK_FD" ]; then
    release_lock "$PG_LOCK_FD"
    PG_LOCK_FD=
  fi
}

# Sets PG_HOME to the cluster directory, creating it (and the fallback outside the repo
# when the postgres user can't reach the repo) on first use.
_pg_resolve_home() {
  local link="$PG_STATE_DIR/cluster"
  mkdir -p "$PG_STATE_DIR"
  if [ -e "$link" ]; then
    PG_HOME="$(cd "$link" && pwd -P)"
    return
  fi
  if [ -L "$link" ]; then
    rm -f "$link" # dangling: the directory it pointed at is gone
  fi
  if ! is_root; then
    mkdir -p "$link"
    chmod 700 "$link"
    PG_HOME="$link"
    return
  fi
  mkdir -p "$link"
  chown postgres: "$link"
  chmod 700 "$link"
  if runuser -u postgres -- test -w "$link" -a -x "$link"; then
    PG_HOME="$link"
    return
  fi
  # The repo lives below a directory postgres cannot traverse. Don't loosen permissions
  # of directories that aren't ours: keep the cluster in postgres's home instead.
  rmdir "$link"
  local pg_user_home key
  pg_user_home="$(getent passwd postgres | cut -d: -f6)"
  [ -n "$pg_user_home" ] && [ -d "$pg_user_home" ] || pg_user_home=/var/lib/postgresql
  key="$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
  PG_HOME="$pg_user_home/paydesk-dev/$key"
  install -d -o postgres -g postgres -m 700 "$pg_user_home/paydesk-dev" "$PG_HOME"
  ln -s "$PG_HOME" "$link"
  log "postgres cannot reach $REPO_ROOT: cluster data lives in $PG_HOME (linked from .pg/cluster)"
}

_pg_ctl() { _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_HOME/data" "$@"; }

pg_is_running() { _pg_ctl status >/dev/null 2>&1; }

_pg_socket_opt() {
  # A unix socket path may not exceed 107 bytes; deep checkouts then use TCP only.
  local sock="$PG_HOME/run/.s.PGSQL.65535"
  if [ "${#sock}" -le 100 ]; then
    printf '%s' "$PG_HOME/run"
  fi
}

# Starts the cluster, or reuses it when it is already running. Sets PG_PORT,
# PG_ADMIN_URL (to the `postgres` database) and PG_STARTED_HERE=1 if it started it.
pg_start() {
  ensure_postgres
  _pg_lock
  _pg_resolve_home

  if [ ! -f "$PG_HOME/data/PG_VERSION" ]; then
    log "initdb (private cluster in .pg/)"
    _pg_as_owner mkdir -p "$PG_HOME/data" "$PG_HOME/run"
    _pg_as_owner "$PG_BIN/initdb" -D "$PG_HOME/data" --username="$PG_SUPERUSER" \
      --auth=trust --encoding=UTF8 --no-locale >"$PG_STATE_DIR/initdb.log" 2>&1 \
      || { cat "$PG_STATE_DIR/initdb.log" >&2; _pg_unlock; die "initdb failed"; }
    rm -f "$PG_STATE_DIR/port"
  fi

  if pg_is_running && [ -f "$PG_STATE_DIR/port" ]; then
    PG_PORT="$(cat "$PG_STATE_DIR/port")"
    log "reusing the PostgreSQL cluster on 127.0.0.1:$PG_PORT"
  else
    if pg_is_running; then
      _pg_ctl stop -m fast -w >/dev/null # running but port unknown: restart cleanly
    fi
    PG_PORT=""
    if [ -f "$PG_STATE_DIR/port" ] && ! port_in_use "$(cat "$PG_STATE_DIR/port")"; then
      PG_PORT="$(cat "$PG_STATE_DIR/port")"
    fi
    local attempt sock
    sock="$(_pg_socket_opt)"
    for attempt in 1 2 3; do
      [ -n "$PG_PORT" ] || PG_PORT="$(free_port 54000)"
      log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
      # pg_stat_statements is loaded so that benchmarks can show where PostgreSQL's time
      # goes (bench/refund.sh); nothing else uses it.
      if (without_locks _pg_ctl start -w -t 60 -l "$PG_HOME/postgres.log" -o "-p $PG_PORT \
            -c listen_addresses=127.0.0.1 -c unix_socket_directories='$sock' \
            -c fsync=off -c full_page_writes=off \
            -c max_connections=300 -c shared_preload_libraries=pg_stat_statements \
            -c max_slot_wal_keep_size=4GB") >/dev/null; then
        echo "$PG_PORT" >"$PG_STATE_DIR/port"
        PG_STARTED_HERE=1
        break
      fi
      # Most likely someone took the port between the check and the start.
      PG_PORT=""
      if [ "$attempt" -eq 3 ]; then
        tail -n 30 "$PG_HOME/postgres.log" >&2 || true
        _pg_unlock
        die "PostgreSQL did not start (log: .pg/cluster/postgres.log)"
      fi
    done
  fi
  _pg_unlock
  PG_ADMIN_URL="postgres://$PG_SUPERUSER@127.0.0.1:$PG_PORT/postgres"
  export PG_PORT PG_ADMIN_URL
}

# ---- The read replica ------------------------------------------------------------------
# A hot standby of the private cluster in .pg/cluster/replica/, streaming from it through
# the replication slot paydesk_replica, so the primary keeps the WAL the standby has not
# received (up to max_slot_wal_keep_size: a standby stopped for long is made again rather
# than filling the disk). Made with pg_basebackup the first time, and again when the
# primary was re-created or the slot lost its WAL.
REPLICA_SLOT=paydesk_replica

_replica_ctl() { _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_HOME/replica" "$@"; }

# replica_start: after pg_start. Sets REPLICA_PORT and REPLICA_ADMIN_URL (the standby's
# `postgres` database; the standby has every database of the primary under its name).
replica_start() {
  local system_id slot made_for attempt
  _pg_lock
  _pg_resolve_home
  system_id="$(psql_admin "$PG_ADMIN_URL" -c "SELECT system_identifier FROM pg_control_system()")"
  slot="$(psql_admin "$PG_ADMIN_URL" \
    -c "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '$REPLICA_SLOT'")"
  made_for="$(cat "$PG_STATE_DIR/replica-of" 2>/dev/null || true)"
  if [ -f "$PG_HOME/replica/PG_VERSION" ] \
      && { [ "$made_for" != "$system_id" ] || [ -z "$slot" ] || [ "$slot" = lost ]; }; then
    log "the read replica no longer follows the private cluster: making it again"
    _replica_ctl stop -m immediate -w >/dev/null 2>&1 || true
    _pg_as_owner rm -rf "$PG_HOME/replica"
  fi
  if [ ! -f "$PG_HOME/replica/PG_VERSION" ]; then
    if [ -n "$slot" ]; then
      psql_admin "$PG_ADMIN_URL" -c "SELECT pg_drop_replication_slot('$REPLICA_SLOT')" >/dev/null
    fi
    log "pg_basebackup: a hot standby of the private cluster (.pg/cluster/replica)"
    if ! (without_locks _pg_as_owner "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" \
          -U "$PG_SUPERUSER" -D "$PG_HOME/replica" --write-recovery-conf --wal-method=stream \
          --create-slot --slot="$REPLICA_SLOT" --checkpoint=fast \
          >"$PG_STATE_DIR/basebackup.log" 2>&1); then
      cat "$PG_STATE_DIR/basebackup.log" >&2
      _pg_unlock
      die "pg_basebackup failed"
    fi
    echo "$system_id" >"$PG_STATE_DIR/replica-of"
    rm -f "$PG_STATE_DIR/replica-port"
  fi
  if _replica_ctl status >/dev/null 2>&1 && [ -f "$PG_STATE_DIR/replica-port" ]; then
    REPLICA_PORT="$(cat "$PG_STATE_DIR/replica-port")"
    log "reusing the read replica on 127.0.0.1:$REPLICA_PORT"
  else
    _replica_ctl stop -m fast -w >/dev/null 2>&1 || true
    for attempt in 1 2 3; do
      REPLICA_PORT="$(free_port 55000)"
      log "starting the read replica on 127.0.0.1:$REPLICA_PORT"
      # A standby needs max_connections at least the primary's. hot_standby_feedback
      # keeps the primary from vacuuming rows a long export on the standby still reads.
      if (without_locks _replica_ctl start -w -t 60 -l "$PG_HOME/replica.log" -o "-p $REPLICA_PORT \
            -c listen_addresses=127.0.0.1 -c unix_socket_directories='$(_pg_socket_opt)' \
            -c hot_standby=on -c hot_standby_feedback=on -c fsync=off \
            -c max_connections=300") >/dev/null; then
        echo "$REPLICA_PORT" >"$PG_STATE_DIR/replica-port"
        break
      fi
      if [ "$attempt" -eq 3 ]; then
        tail -n 30 "$PG_HOME/replica.log" >&2 || true
        _pg_unlock
        die "the read replica did not start (log: .pg/cluster/replica.log)"
      fi
    done
  fi
  _pg_unlock
  REPLICA_ADMIN_URL="postgres://$PG_SUPERUSER@127.0.0.1:$REPLICA_PORT/postgres"
  export REPLICA_PORT REPLICA_ADMIN_URL
}

# replica_wait PRIMARY_URL REPLICA_URL: waits (at most a minute) until the standby has
# replayed all the primary had written, e.g. a database just created and seeded.
replica_wait() {
  local primary="$1" replica="$2" target
  target="$(psql_admin "$primary" -c "SELECT pg_current_wal_insert_lsn()")"
  for _ in $(seq 1 600); do
    if [ "$(psql_admin "$replica" -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]; then
      return 0
    fi
    # A record of nothing moves the primary past a page boundary the standby waits at.
    psql_admin "$primary" -c "SELECT pg_logical_emit_message(false, 'paydesk', '')" >/dev/null
    sleep 0.1
  done
  echo "the read replica did not replay up to $target within a minute" >&2
  return 1
}

# Stops the private cluster cleanly (no-op when it isn't running).
pg_stop() {
  ensure_postgres
  if [ ! -e "$PG_STATE_DIR/cluster" ]; then
    return 0
  fi
  _pg_lock
  _pg_resolve_home
  if [ -f "$PG_HOME/replica/PG_VERSION" ] && _replica_ctl status >/dev/null 2>&1; then
    log "stopping the read replica"
    _replica_ctl stop -m fast -w >/dev/null || true
  fi
  if pg_is_running; then
    log "stopping PostgreSQL (.pg/)"
    _pg_ctl stop -m fast -w >/dev/null || { _pg_unlock; return 1; }
  fi
  _pg_unlock
}

# Stops the cluster only if this process started it: a cluster that someone else
# started (another terminal running scripts/run.sh) is left alone.
pg_stop_if_started_here() {
  if [ "$PG_STARTED_HERE" -eq 1 ]; then
    pg_stop || true
    PG_STARTED_HERE=0
  fi
}

# A throwaway cluster whose clock runs shifted by a libfaketime offset (e.g. "+86400"),
# for tests at another date: PostgreSQL's now() must agree with the server's. Sets
# FT_URL to its admin URL (the `postgres` database); pg_faketime_stop deletes it.
FT_DIR=""
FT_URL=""
pg_faketime_start() {
  local offset="$1" port
  ensure_postgres
  FT_DIR="$(mktemp -d /tmp/paydesk-faketime-pg.XXXXXX)"
  if is_root; then chown postgres: "$FT_DIR"; fi
  _pg_as_owner "$PG_BIN/initdb" -D "$FT_DIR/data" --username="$PG_SUPERUSER" \
    --auth=trust --encoding=UTF8 --no-locale >"$FT_DIR/initdb.log" 2>&1 \
    || { cat "$FT_DIR/initdb.log" >&2; return 1; }
  port="$(free_port 56000)"
  (without_locks _pg_as_owner env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$offset" \
    FAKETIME_DONT_FAKE_MONOTONIC=1 "$PG_BIN/pg_ctl" -D "$FT_DIR/data" -l "$FT_DIR/postgres.log" \
    -w -t 60 -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$FT_DIR' \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start) >/dev/null || { tail -n 20 "$FT_DIR/postgres.log" >&2; return 1; }
  FT_URL="postgres://$PG_SUPERUSER@127.0.0.1:$port/postgres"
}

pg_faketime_stop() {
  if [ -n "$FT_DIR" ] && [ -d "$FT_DIR/data" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$FT_DIR/data" stop -m immediate -w >/dev/null 2>&1 || true
  fi
  if [ -n "$FT_DIR" ]; then rm -rf "$FT_DIR"; fi
  FT_DIR=""
  FT_URL=""
}

# Sets ADMIN_URL, a server where databases may be created: DATABASE_URL when it is set,
# else the private cluster's (started if it is not running).
# shellcheck disable=SC2034 # ADMIN_URL is read by the scripts that call this
use_admin_url() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "using DATABASE_URL from the environment"
    ADMIN_URL="$DATABASE_URL"
  else
    pg_start
    ADMIN_URL="$PG_ADMIN_URL"
  fi
}

# The servers (and balancer) a script started in the background: stop_server ends them
# all, politely first (a server told to stop serves on for its drain time, 3 s by
# default, then finishes what it has).
SERVER_PIDS=()
stop_server() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

# serve_release LABEL DB_URL [PREFIX...]: starts target/release/server on DB_URL and a
# free port, through the command PREFIX (an `env …` with settings or a clock) if given;
# sets SERVER_URL once /readyz answers. Its log: $LOG_DIR/server-LABEL.log.
serve_release() {
  local label="$1" db_url="$2" port pid
  shift 2
  port="$(free_port 30000)"
  SERVER_URL="http://127.0.0.1:$port"
  log "[$label] starting the server on $SERVER_URL (log: $LOG_DIR/server-$label.log)"
  without_locks "$@" env DATABASE_URL="$db_url" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    RUST_LOG="${RUST_LOG:-info}" target/release/server serve >"$LOG_DIR/server-$label.log" 2>&1 &
  pid=$!
  SERVER_PIDS+=("$pid")
  if ! wait_for_http "$SERVER_URL/readyz" 60 "$pid"; then
    printf '\nthe server did not answer %s/readyz within 60 s; its log:\n' "$SERVER_URL" >&2
    tail -n 100 "$LOG_DIR/server-$label.log" >&2
    stop_server
    return 1
  fi
}

ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || apt_install haproxy
}

# start_balancer LABEL PORT ADDRESS...: HAProxy on 127.0.0.1:PORT in front of the
# servers at ADDRESS (host:port) each, sending each request to the next ready one
# (round robin; readiness by /readyz every second; a request whose connection fails is
# sent to another server). Its pid joins SERVER_PIDS; sets SERVER_URL to it.
start_balancer() {
  local label="$1" port="$2" address config backends="" n=0
  shift 2
  ensure_haproxy || return 1
  for address in "$@"; do
    n=$((n + 1))
    backends+="    server $label-$n $address check inter 1s fall 2 rise 1"$'\n'
  done
  config="$LOG_DIR/haproxy-$label.cfg"
  cat >"$config" <<CFG
defaults
    mode http
    timeout connect 2s
    # Exports stream for minutes.
    timeout client 600s
    timeout server 600s
    retries 3
    option redispatch
    # The servers learn the client's address from X-Forwarded-For (they trust the
    # balancer's address, see serve_balanced): sign-in throttling and the open API's
    # per-address limit count clients, not the balancer.
    option forwardfor
frontend paydesk
    bind 127.0.0.1:$port
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
$backends
CFG
  log "[$label] HAProxy on 127.0.0.1:$port in front of $n servers (config: $config)"
  without_locks "$(command -v haproxy || echo /usr/sbin/haproxy)" -db -f "$config" \
    >"$LOG_DIR/haproxy-$label.log" 2>&1 &
  SERVER_PIDS+=("$!")
  SERVER_URL="http://127.0.0.1:$port"
  if ! wait_for_http "$SERVER_URL/readyz" 30 "$!"; then
    echo "HAProxy did not answer $SERVER_URL/readyz; its log:" >&2
    cat "$LOG_DIR/haproxy-$label.log" >&2
    stop_server
    return 1
  fi
}

# serve_balanced LABEL DB_URL COUNT [PREFIX...]: COUNT servers as serve_release starts
# them, trusting the balancer's forwarded addresses, behind start_balancer on port
# BALANCER_PORT (default: a free one).
serve_balanced() {
  local label="$1" db_url="$2" count="$3" i addresses=()
  shift 3
  for ((i = 1; i <= count; i++)); do
    serve_release "$label-$i" "$db_url" env PAYDESK_TRUSTED_PROXIES=127.0.0.1 "$@" || return 1
    addresses+=("${SERVER_URL#http://}")
  done
  start_balancer "$label" "${BALANCER_PORT:-$(free_port 32000)}" "${addresses[@]}"
}

# url_with_db URL NAME: the same connection string with its database replaced.
url_with_db() {
  local url="$1" db="$2" base query rest
  base="${url%%\?*}"
  query="${url#"$base"}"
  rest="${base#*://}"
  if [[ "$rest" == */* ]]; then
    base="${base%/*}"
  fi
  printf '%s/%s%s' "$base" "$db" "$query"
}

# psql_admin URL SQL...: runs SQL statements against URL, quietly, failing on error.
psql_admin() {
  local url="$1"
  shift
  psql "$url" -X -q -v ON_ERROR_STOP=1 -At "$@"
}

# ensure_database ADMIN_URL NAME: creates the database when it doesn't exist.
ensure_database() {
  local admin="$1" db="$2"
  if [ -z "$(psql_admin "$admin" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    log "creating database $db"
    psql_admin "$admin" -c "CREATE DATABASE \"$db\""
  fi
}

# bench_database N: the benchmarks' shared data, BENCH_URL: the database
# paydesk_bench (on DATABASE_URL's server, else the private cluster), migrated, with N
# transactions seeded once and kept for the next run (20,000,000 take about 17 GB of
# disk, and several minutes to seed). Needs target/release/server.
# shellcheck disable=SC2034 # BENCH_URL is read by the scripts that call this
bench_database() {
  local n="$1" have
  use_admin_url
  BENCH_URL="$(url_with_db "$ADMIN_URL" paydesk_bench)"
  ensure_database "$ADMIN_URL" paydesk_bench
  DATABASE_URL="$BENCH_URL" target/release/server migrate
  have=$(psql_admin "$BENCH_URL" -c "SELECT count(*) FROM transactions")
  if [ "$have" -lt "$n" ]; then
    log "seeding $n transactions (once)"
    DATABASE_URL="$BENCH_URL" target/release/server seed --reset --transactions "$n" >/dev/null
  fi
  echo "transactions: $(psql_admin "$BENCH_URL" -c "SELECT count(*) FROM transactions")"
}

# drop_database ADMIN_URL NAME: drops it if it exists, disconnecting any client.
drop_database() {
  psql_admin "$1" -c "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)"
}

# recreate_database ADMIN_URL NAME: drops (disconnecting any client) and creates it.
recreate_database() {
  local admin="$1" db="$2"
  log "recreating database $db"
  drop_database "$admin" "$db"
  psql_admin "$admin" -c "CREATE DATABASE \"$db\""
}

# Environment the server binary reads (it must run from the repo root).
export_leptos_env() {
  export LEPTOS_SITE_ROOT=target/site
  export LEPTOS_OUTPUT_NAME=paydesk
  export LEPTOS_SITE_PKG_DIR=pkg
}
