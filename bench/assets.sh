#!/usr/bin/env bash
# What a browser downloads for the first page: the site package's script, WebAssembly
# and stylesheet, as the release build leaves them (raw, and the brotli and gzip copies
# the server sends), next to `gzip -9` of the same files as a reference, and the budget
# of 300 KB compressed in all. Builds the release site first when there is none.
#   bench/assets.sh
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"

BUDGET=$((300 * 1024))
PKG=target/site/pkg
if [ ! -f target/release/hash.txt ]; then
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_wasm_opt
  log "cargo leptos build --release --precompress"
  cargo leptos build --release --precompress
fi

printf '%-28s %12s %12s %12s %12s\n' file raw brotli gzip "gzip -9"
total_br=0 total_raw=0 total_ref=0
for f in "$PKG"/*.wasm "$PKG"/*.js "$PKG"/*.css; do
  raw=$(stat -c %s "$f")
  br=$(stat -c %s "$f.br")
  gz=$(stat -c %s "$f.gz")
  ref=$(gzip -9 -c "$f" | wc -c)
  printf '%-28s %12d %12d %12d %12d\n' "$(basename "$f")" "$raw" "$br" "$gz" "$ref"
  total_raw=$((total_raw + raw)) total_br=$((total_br + br)) total_ref=$((total_ref + ref))
done
printf '%-28s %12d %12d %12s %12d\n' "first page, in all" "$total_raw" "$total_br" "" "$total_ref"
printf 'sent with brotli: %d bytes, %.2f× gzip -9; budget %d bytes: %s by %d bytes\n' \
  "$total_br" "$(awk -v a="$total_br" -v b="$total_ref" 'BEGIN { print a / b }')" "$BUDGET" \
  "$([ "$total_br" -le "$BUDGET" ] && echo "within" || echo "over")" \
  "$(( total_br > BUDGET ? total_br - BUDGET : BUDGET - total_br ))"
