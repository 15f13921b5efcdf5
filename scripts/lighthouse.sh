#!/usr/bin/env bash
# Lighthouse's four scores (performance, accessibility, best practices, SEO) for every
# page kind of a release console in sample mode, run by npm's `lighthouse` against
# Debian's Chromium (no browser download). Not part of scripts/test.sh: it needs a release
# build and takes a few minutes; the browser tests check accessibility with axe-core.
#
#   scripts/lighthouse.sh                 build (release), start a sample console, score it
#   scripts/lighthouse.sh http://host:port   score a console that is already running
#   LIGHTHOUSE_PRESET=desktop scripts/lighthouse.sh   desktop instead of the mobile default
#
# It prints one line per page and exits non-zero if any score is below MIN_SCORE (100).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
min=${MIN_SCORE:-100}

scripts/setup.sh --test >/dev/null
(cd scripts/lighthouse && { [[ -x node_modules/.bin/lighthouse ]] || npm ci --no-audit --no-fund --loglevel=error; })

work=$(mktemp -d)
console_pid=
cleanup() {
  [[ -n "$console_pid" ]] && kill "$console_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

base=${1:-}
if [[ -z "$base" ]]; then
  scripts/build.sh --release >&2
  port=${LIGHTHOUSE_PORT:-3310}
  base=http://127.0.0.1:$port
  target/release/msk-console --sample --listen "127.0.0.1:$port" \
    --database-url "sqlite://$work/lighthouse.db" --log warn >"$work/console.log" 2>&1 &
  console_pid=$!
  seen=
  for _ in $(seq 1 120); do
    seen=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz" || true)
    [[ "$seen" == 200 ]] && break
    kill -0 "$console_pid" 2>/dev/null || { cat "$work/console.log" >&2; echo "the console exited" >&2; exit 1; }
    sleep 0.5
  done
  [[ "$seen" == 200 ]] || { echo "waited for $base/healthz to answer 200; last answer: ${seen:-none}" >&2; exit 1; }
fi

# Every page kind: the list, coverage, history, each sample cluster and one cluster's history.
mapfile -t paths < <(curl -sf "$base/api/clusters" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const list = JSON.parse(s).clusters;
    const out = ["/", "/coverage", "/history", ...list.map((c) => `/clusters/${c.id}`)];
    const orders = list.find((c) => c.name === "orders-prod") || list[0];
    if (orders) out.push(`/clusters/${orders.id}/history`);
    console.log(out.join("\n"));
  });')

preset=()
[[ -n "${LIGHTHOUSE_PRESET:-}" ]] && preset=(--preset="$LIGHTHOUSE_PRESET")
failed=0
printf '%-44s %5s %5s %5s %5s\n' page perf a11y best seo
for path in "${paths[@]}"; do
  out="$work/report.json"
  CHROME_PATH=${CHROMIUM_PATH:-/usr/bin/chromium} "$root/scripts/lighthouse/node_modules/.bin/lighthouse" \
    "$base$path" --quiet --output=json --output-path="$out" "${preset[@]}" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless --no-sandbox --disable-gpu" >/dev/null 2>"$work/lighthouse.log" \
    || { cat "$work/lighthouse.log" >&2; echo "lighthouse failed on $path" >&2; exit 1; }
  line=$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const min = Number(process.argv[3]);
    const ids = ["performance", "accessibility", "best-practices", "seo"];
    const scores = ids.map((k) => Math.round((r.categories[k].score ?? 0) * 100));
    // What cost points, so a score below the bar says why.
    const why = Object.values(r.audits)
      .filter((a) => a.score !== null && a.score < 1 && ["binary", "numeric", "metricSavings"].includes(a.scoreDisplayMode))
      .map((a) => `${a.id}${a.displayValue ? " (" + a.displayValue + ")" : ""}`);
    const low = scores.some((s) => s < min);
    console.log(`${process.argv[2].padEnd(44)} ${scores.map((s) => String(s).padStart(5)).join(" ")}` +
      (low ? `\n    below ${min}: ${why.join(", ")}` : "") + (low ? "\nLOW" : ""));
  ' "$out" "$path" "$min")
  if [[ "$line" == *$'\nLOW' ]]; then failed=1; line=${line%$'\nLOW'}; fi
  echo "$line"
done
exit $failed
