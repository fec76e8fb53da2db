#!/usr/bin/env bash
# Export benchmark: 1,000,000 enquiries in SQLite, exported with `leadbridge suitedash export`;
# prints seconds, rows/s and peak RSS, and the time sqlite3 -csv takes to select the same
# columns from the same file, as the floor.
# Targets (issue #5): at most 2x the sqlite3 time; peak RSS at most 64 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v swift >/dev/null 2>&1 || export PATH="$PATH:/opt/swift/usr/bin"
ROWS=${ROWS:-1000000}
for tool in sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 time >/dev/null; }
done

# LEADBRIDGE_BIN names another build to measure (say, the last commit's, to compare).
if [ -n "${LEADBRIDGE_BIN:-}" ]; then
  BIN=$LEADBRIDGE_BIN
else
  echo "==> Building release"
  swift build -c release --product leadbridge 2>&1 | tail -n 1
  BIN=$PWD/.build/release/leadbridge
fi
WORK=$(mktemp -d /tmp/leadbridge-export-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export APP_KEY=$($BIN key generate | sed 's/^APP_KEY=//') STORAGE_PATH="$WORK" LOG_LEVEL=warning SUITEDASH_EXPORT_PATH="$WORK/exports"
$BIN migrate --yes >/dev/null 2>&1
DB="$WORK/database.sqlite"

echo "==> Seeding $ROWS enquiries"
sqlite3 "$DB" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ROWS)
INSERT INTO contact_submissions (first_name, last_name, email, phone, company, service_interest, message, source,
  consent, consent_at, status, created_at, updated_at)
SELECT 'First' || i, 'Last' || i, 'lead' || i || '@example.com', '+1415' || printf('%07d', i % 10000000),
  CASE i % 5 WHEN 0 THEN 'Acme, Inc.' ELSE 'Company ' || (i % 997) END,
  CASE i % 3 WHEN 0 THEN 'Business Strategy' WHEN 1 THEN 'Marketing & Growth' ELSE NULL END,
  CASE i % 4 WHEN 0 THEN 'Hello,' || char(10) || 'we would like to talk about "growth".' ELSE 'Please call me back about project ' || i END,
  'website', 1, 1795512600.0 + i, 'pending', 1795512600.0 + i, 1795512600.0 + i
FROM n;
SQL
ls -la "$DB" | awk '{printf "database: %.0f MB\n", $5 / 1048576}'

echo "==> Floor: sqlite3 -csv selecting the same columns"
FLOOR_START=$(date +%s.%N)
sqlite3 -csv "$DB" "SELECT id, first_name, last_name, email, phone, company, service_interest, message, source, created_at FROM contact_submissions ORDER BY id" > "$WORK/floor.csv"
FLOOR_END=$(date +%s.%N)

echo "==> leadbridge suitedash export"
/usr/bin/time -v -o "$WORK/time.txt" $BIN suitedash export --output "$WORK/export.csv" > "$WORK/export.log" 2>&1
SECONDS_TAKEN=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); if (length(t) == 3) print t[1]*3600 + t[2]*60 + t[3]; else print t[1]*60 + t[2]}' "$WORK/time.txt")
RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
LINES=$(($(wc -l < "$WORK/export.csv")))
EXPORTED=$(sqlite3 "$DB" "SELECT rows FROM suitedash_exports ORDER BY id DESC LIMIT 1")

echo
tail -n 1 "$WORK/export.log"
awk -v s="$SECONDS_TAKEN" -v rows="$EXPORTED" -v rss="$RSS_KB" -v a="$FLOOR_START" -v b="$FLOOR_END" -v bytes="$(stat -c %s "$WORK/export.csv")" 'BEGIN {
  floor = b - a
  printf "export: %d rows, %.1f MB in %.2f s = %.0f rows/s; peak RSS %.1f MB\n", rows, bytes / 1048576, s, rows / s, rss / 1024
  printf "sqlite3 -csv floor: %.2f s; export / floor = %.2fx\n", floor, s / floor }'
echo "CSV lines (header + rows + line breaks inside messages): $LINES"
