#!/usr/bin/env bash
# Takes the README's screenshots (docs/screenshots/) of the release build with the demo
# data, in headless Chromium at a desktop's and a phone's width. Only the browser part of
# the test command runs, with end2end/screenshots.config.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PAYDESK_SKIP_RUST=1 PAYDESK_SKIP_SDK=1 PAYDESK_SKIP_FAULTS=1 PAYDESK_SKIP_SMOKE=1 \
  PAYDESK_SKIP_DATES=1 exec scripts/test.sh --config=screenshots.config.ts
