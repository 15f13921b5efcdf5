#!/usr/bin/env bash
# Runs the integration tests N times (default 20) on one build and prints how often each
# test failed: the check that the suite passes every time, not just once.
#
#   scripts/test-loop.sh [N] [FILTER]        e.g. scripts/test-loop.sh 20, or 50 msk_behaviour::
#   HOGS=1 scripts/test-loop.sh 20           with one CPU hog (`yes > /dev/null`) beside it
#
# It builds the test binary once (as scripts/test.sh does) and runs it N times; each
# run's output is kept in target/test-loop/run-K.log. PostgreSQL runs too when
# MSK_TEST_PG_URL is set (scripts/test.sh sets it up; the replica tests need it).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
filter=${2:-}
hogs=${HOGS:-0}

out=target/test-loop
rm -rf "$out"
mkdir -p "$out"

echo "[loop] building the integration tests" >&2
bin=$(cargo test --workspace --test integration --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "integration" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
[[ -x "$bin" ]] || { echo "[loop] no integration test binary was built" >&2; exit 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for _ in $(seq 1 "$hogs"); do
  yes > /dev/null &
  pids+=($!)
done
(( hogs )) && echo "[loop] $hogs CPU hog(s) running beside the tests" >&2

failed_runs=0
for k in $(seq 1 "$runs"); do
  start=$(date +%s)
  if "$bin" $filter > "$out/run-$k.log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed_runs=$((failed_runs + 1))
  fi
  passed=$(grep -Eo '[0-9]+ passed' "$out/run-$k.log" | tail -n 1 || true)
  echo "[loop] run $k/$runs: $status (${passed:-? passed}, $(( $(date +%s) - start )) s)" >&2
done

echo
echo "failures per test over $runs runs (hogs: $hogs):"
if ! grep -h -E '^test .* \.\.\. FAILED$' "$out"/run-*.log | sed -E 's/^test (.*) \.\.\. FAILED$/\1/' \
  | sort | uniq -c | sort -rn; then
  true
fi
if (( failed_runs == 0 )); then
  echo "  none: $runs of $runs runs passed"
else
  echo "  $failed_runs of $runs runs failed; logs in $out/"
  exit 1
fi
