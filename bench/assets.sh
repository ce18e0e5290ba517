#!/usr/bin/env bash
# What a browser downloads for each page: the frame every page loads (the main
# WebAssembly, its script, the splitter's script, the stylesheet) plus the WebAssembly
# chunks of the page's own lazy route (from the build's split manifest), as the release
# build leaves them: raw, and the brotli copy the server sends, next to `gzip -9` of the
# same files as a reference, and the budget of 300 KB for the first page (the sign-in
# page). Builds the release site first when there is none.
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
  log "cargo leptos build --release --split --precompress"
  cargo leptos build --release --split --precompress
fi

# The build's file names, from its hash file (the package directory also keeps older
# builds' files).
python3 - "$PKG" target/release/hash.txt "$BUDGET" <<'PY'
import glob, gzip, json, os, sys

pkg, hashes, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
h = dict(line.split(": ", 1) for line in open(hashes).read().split("\n") if ": " in line)
frame = [f"paydesk.{h['wasm']}.wasm", f"paydesk.{h['js']}.js",
         f"__wasm_split.{h['split']}.js", f"paydesk.{h['css']}.css"]
manifest = json.load(open(os.path.join(pkg, f"__wasm_split_manifest.{h['manifest']}.json")))

def sizes(names):
    raw = br = ref = 0
    for n in names:
        path = os.path.join(pkg, n)
        data = open(path, "rb").read()
        raw += len(data)
        br += os.path.getsize(path + ".br")
        ref += len(gzip.compress(data, 9))
    return raw, br, ref

print(f"{'part':<34} {'files':>5} {'raw':>10} {'brotli':>10} {'gzip -9':>10}")
f = sizes(frame)
print(f"{'frame (every page)':<34} {len(frame):>5} {f[0]:>10} {f[1]:>10} {f[2]:>10}")
pages = {}
for key, chunks in sorted(manifest.items()):
    # Split points are named after the route's view: __transactions_route_view_<n>.
    page = key.strip("_").rsplit("_route_view", 1)[0].replace("_", " ")
    names = [c + ".wasm" for c in chunks]
    s = sizes(names)
    pages[page] = s
    print(f"{'page: ' + page:<34} {len(names):>5} {s[0]:>10} {s[1]:>10} {s[2]:>10}")
print()
print(f"{'whole page, as sent':<34} {'brotli':>10} {'gzip -9':>10}")
for page, s in pages.items():
    print(f"{page:<34} {f[1] + s[1]:>10} {f[2] + s[2]:>10}")
first = f[1] + pages["login"][1]
verdict = "within" if first <= budget else "over"
print(f"\nfirst page (sign-in) sent with brotli: {first} bytes; budget {budget}: {verdict} by {abs(budget - first)} bytes")
PY
