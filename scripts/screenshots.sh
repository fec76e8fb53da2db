#!/usr/bin/env bash
# Refreshes the screenshots in docs/images/ from the browser suite's demo story
# (Tests/Browser/test_demo.py: `leadbridge demo`, driven by Debian's Chromium), so the docs show
# the product as it is. Never edit those images by hand: run this and commit what it writes.
#   scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/browser.sh

ensure_browser_tools
"$BROWSER_PYTHON" -c "import PIL" 2>/dev/null \
  || "$BROWSER_PYTHON" -m pip install --quiet --disable-pip-version-check "Pillow>=10,<12"
echo "==> Building"
swift build --product leadbridge 2>&1 | tail -n 1
SHOTS=$(mktemp -d /tmp/leadbridge-screenshots.XXXXXX)
trap 'rm -rf "$SHOTS"' EXIT
echo "==> The demo story in Chromium"
LEADBRIDGE_SCREENSHOTS="$SHOTS" "$BROWSER_PYTHON" -m pytest -q Tests/Browser/test_demo.py -k newcomer
"$BROWSER_PYTHON" scripts/screenshots/shrink.py "$SHOTS/test_a_newcomer_tries_the_demo" docs/images
