# The browser suite's tools, sourced by scripts/test.sh: Debian's Chromium (apt-get) and
# Playwright for Python, pytest and axe-core (pip, pinned in Tests/Browser/requirements.txt).
# Playwright drives the Chromium at /usr/bin/chromium; it never downloads a browser of its own.

# shellcheck source=common.sh
source scripts/lib/common.sh

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install Chromium chromium fonts-dejavu-core
  fi
  if ! python3 -c "import playwright, pytest, axe_playwright_python" 2>/dev/null; then
    echo "Installing the browser suite's Python packages with pip"
    python3 -m pip install --quiet --disable-pip-version-check -r Tests/Browser/requirements.txt
  fi
}

# Runs the browser suite against the debug build; its pytest log goes to $1.
run_browser_suite() {
  local log=$1 status
  set +e
  python3 -m pytest Tests/Browser -q -p no:cacheprovider -o console_output_style=classic 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}

# pytest's closing line, "3 passed, 1 failed, 2 errors in 52.1s", as "passed failed" (errors
# are failures a person must look at, so they count as failed).
browser_counts() {
  local line
  line=$(grep -E '^=*\s*[0-9]+ (passed|failed|errors?)' "$1" | tail -n 1)
  local passed failed errors
  passed=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
  failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
  errors=$(echo "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || echo 0)
  echo "${passed:-0} $(( ${failed:-0} + ${errors:-0} ))"
}
