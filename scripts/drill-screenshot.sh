#!/usr/bin/env bash
# Screenshots a drill report with headless Chromium, as ReportScreenshotTest does, so a person can
# look at what an auditor will see. Usage:
#   scripts/drill-screenshot.sh DRILL_DIR|report.html [OUT.png] [WIDTH,HEIGHT]
# Without a report, runs a quick drill first (needs the built jar: mvn -B -q -DskipTests package).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
chromium="${LEAKWATCH_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
if [ -z "$chromium" ]; then
  echo "drill-screenshot: headless Chromium not found; install it (Debian: apt-get install -y chromium)" >&2
  exit 2
fi
profile="$(mktemp -d)"
work=""
trap 'rm -rf "$profile" ${work:+"$work"}' EXIT

report="${1:-}"
if [ -z "$report" ]; then
  work="$(mktemp -d)"
  java -jar "$root/app/target/leakwatch.jar" drill --seconds 0 --out "$work/drill" --history "$work/history.jsonl" > "$work/drill.log" || true
  report="$work/drill/report.html"
  out="${2:-$PWD/drill-report.png}"
elif [ -d "$report" ]; then
  report="$report/report.html"
fi
[ -f "$report" ] || { echo "drill-screenshot: no report at $report" >&2; exit 2; }
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
out="${2:-${out:-$(dirname "$report")/../$(basename "$(dirname "$report")")-report.png}}"
size="${3:-1280,3400}"

# The screenshot goes beside the drill folder, never into it: a file added there fails `drill verify`.
"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update \
  --disable-sync --hide-scrollbars --user-data-dir="$profile" --window-size="$size" --screenshot="$out" "file://$report" \
  > /dev/null 2>&1
echo "drill-screenshot: $out"
