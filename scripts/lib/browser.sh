# The browser suite's tools, sourced by scripts/test.sh: Debian's Chromium (apt-get) and
# Playwright for Python, pytest and axe-core (pip, pinned in Tests/Browser/requirements.txt).
# Playwright drives the Chromium at /usr/bin/chromium; it never downloads a browser of its own.

# shellcheck source=common.sh
source scripts/lib/common.sh

# The suite's own Python: a venv under .build (Debian's system Python refuses pip installs),
# seeing the system's packages so what is installed already is not fetched again.
BROWSER_PYTHON=.build/browser-venv/bin/python

ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install Chromium chromium fonts-dejavu-core
  fi
  if [ ! -x "$BROWSER_PYTHON" ]; then
    python3 -m venv --system-site-packages .build/browser-venv 2>/dev/null || {
      apt_install "Python's venv" python3-venv
      python3 -m venv --system-site-packages .build/browser-venv
    }
  fi
  if ! "$BROWSER_PYTHON" -c "import playwright, pytest, axe_playwright_python, schemathesis, aiosmtpd" 2>/dev/null; then
    echo "Installing the browser suite's Python packages with pip"
    "$BROWSER_PYTHON" -m pip install --quiet --disable-pip-version-check -r Tests/Browser/requirements.txt
  fi
}

# Runs the browser suite against the debug build; its pytest log goes to $1.
run_browser_suite() {
  local log=$1 status
  set +e
  "$BROWSER_PYTHON" -m pytest Tests/Browser -q -o console_output_style=classic 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}

# pytest's closing line, "3 passed, 1 failed, 2 errors in 52.1s", as "passed failed" (errors
# are failures a person must look at, so they count as failed). No closing line (pytest could
# not start, or was killed): "0 0", and the caller counts the failed run.
browser_counts() {
  local line passed failed errors
  line=$(grep -E '^=*\s*[0-9]+ (passed|failed|errors?|skipped)' "$1" 2>/dev/null | tail -n 1 || true)
  passed=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
  failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
  errors=$(echo "$line" | grep -oE '[0-9]+ errors?' | grep -oE '[0-9]+' || true)
  echo "${passed:-0} $(( ${failed:-0} + ${errors:-0} ))"
}
