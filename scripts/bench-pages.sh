#!/usr/bin/env bash
# Page benchmark (issue 14): the console against nginx serving the very same HTML bytes,
# in one run, on this machine. Builds release, generates an inventory file of N clusters,
# starts the console on it and nginx beside it (both on loopback), runs wrk on both, and
# prints a table, the console's peak RSS and the first page load's bytes.
#
#   scripts/bench-pages.sh [CLUSTERS]     default 200; CI does not run it
#
# Environment: DURATION (wrk seconds per run, default 10), CONNECTIONS (default 64),
# ROUNDS (turns of console and nginx, default 3; the table shows medians).
set -euo pipefail
cd "$(dirname "$0")/.."
clusters=${1:-200}
duration=${DURATION:-10}
conns=${CONNECTIONS:-64}

scripts/setup.sh --bench >&2
scripts/build.sh --release >&2

tmp=$(mktemp -d)
console_pid=""
cleanup() {
  [[ -n "$console_pid" ]] && kill "$console_pid" 2>/dev/null || true
  [[ -f "$tmp/nginx.pid" ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# An inventory of N clusters in 20 accounts' worth of regions, 3 to 9 brokers each.
python3 scripts/lib/bench_inventory.py "$clusters" > "$tmp/inventory.toml"

port=3480
target/release/msk-console --no-aws --no-probe --inventory-file "$tmp/inventory.toml" \
  --listen "127.0.0.1:$port" --database-url "sqlite://$tmp/console.db" --log warn &
console_pid=$!
base="http://127.0.0.1:$port"
# Up, and the inventory file listed (the first refresh runs right after the start).
id=""
for _ in $(seq 200); do
  id=$(curl -s "$base/api/clusters?brief=true" 2>/dev/null \
    | python3 -c 'import json,sys; c=json.load(sys.stdin)["clusters"]; print(c[0]["id"] if c else "")' 2>/dev/null || true)
  [[ -n "$id" ]] && break
  sleep 0.1
done
[[ -n "$id" ]] || { echo "the console did not list the inventory" >&2; exit 1; }

# nginx serves the same bytes the console sends.
mkdir -p "$tmp/www"
curl -s "$base/" -o "$tmp/www/index.html"
curl -s "$base/clusters/$id" -o "$tmp/www/cluster.html"
cat > "$tmp/nginx.conf" <<NGINX
daemon on;
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  default_type text/html;
  server {
    listen 127.0.0.1:$((port + 1));
    root $tmp/www;
    location = / { try_files /index.html =404; }
    location = /cluster { try_files /cluster.html =404; }
  }
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log"
nginx_base="http://127.0.0.1:$((port + 1))"

# wrk's summary: requests/s and the 99th percentile latency.
measure() { # URL CONNECTIONS -> "req/s p99"
  # (wrk needs at least as many connections as threads.)
  local threads=$(( $2 < 2 ? 1 : 2 ))
  wrk -t"$threads" -c"$2" -d"${duration}s" --latency "$1" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $4 }
    END { printf "%s %s\n", rps, p99 }'
}

# The console and nginx take turns, ROUNDS times (default 3), and each figure is the
# median: this machine's speed drifts between runs, and turns keep the ratio fair.
rounds=${ROUNDS:-3}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
p99ms() { # wrk's "3.41ms" / "95.00us" / "1.02s" -> milliseconds
  python3 -c '
import sys
v = sys.argv[1]
for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
    if v.endswith(unit):
        print(float(v[: -len(unit)]) * f)
        break
' "$1"
}

printf '\n%d clusters, wrk -t2 -c%d -d%ss, %d rounds (medians), on %s\n\n' "$clusters" "$conns" "$duration" "$rounds" "$(nproc) cores"
printf '| page | bytes | console req/s | nginx req/s | ratio | console p99 (%d conns) | console p99 (1 conn) |\n' "$conns"
printf '|---|---|---|---|---|---|---|\n'
for page in "/ index.html /" "/clusters/{id} cluster.html /cluster"; do
  read -r label file npath <<<"$page"
  cpath=${label/\{id\}/$id}
  bytes=$(stat -c %s "$tmp/www/$file")
  crs=(); nrs=(); cps=()
  for _ in $(seq "$rounds"); do
    read -r crps cp99 <<<"$(measure "$base$cpath" "$conns")"
    read -r nrps _ <<<"$(measure "$nginx_base$npath" "$conns")"
    crs+=("$crps"); nrs+=("$nrps"); cps+=("$(p99ms "$cp99")")
  done
  read -r _ cp99one <<<"$(measure "$base$cpath" 1)"
  crps=$(median "${crs[@]}"); nrps=$(median "${nrs[@]}")
  ratio=$(python3 -c "print(f'{100*$crps/$nrps:.1f}%')")
  printf '| `%s` | %s | %.0f | %.0f | %s | %.2fms | %s |\n' "$label" "$bytes" "$crps" "$nrps" "$ratio" "$(median "${cps[@]}")" "$cp99one"
  printf '  (rounds: console %s; nginx %s)\n' "${crs[*]}" "${nrs[*]}" >&2
done

# The same pages while the inventory refreshes every second (each refresh publishes a
# new inventory, so every page is rendered again): a refresh must not stall the others.
( while true; do curl -s -o /dev/null -X POST "$base/api/refresh"; sleep 1; done ) &
churn=$!
for page in "/" "/clusters/{id}"; do
  read -r crps cp99 <<<"$(measure "$base${page/\{id\}/$id}" "$conns")"
  printf '| `%s` while refreshing every second | | %s | | | %s | |\n' "$page" "$crps" "$cp99"
done
kill "$churn" 2>/dev/null || true
gen=$(curl -s "$base/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshes"])')
printf '\n(%s refreshes by the end)\n' "$gen"

rss=$(awk '/VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$console_pid/status")
printf '\nconsole peak RSS: %s\n' "$rss"

# The first page load as a browser makes it: the page, the JS, the wasm and the CSS.
first_load() { # ACCEPT-ENCODING
  local total=0 n
  for p in / "/pkg/msk-console.js" "/pkg/msk-console_bg.wasm" "/pkg/msk-console.css"; do
    n=$(curl -s -o /dev/null -w '%{size_download}' -H "Accept-Encoding: $1" "$base$p")
    total=$((total + n))
  done
  echo "$total"
}
br=$(first_load "gzip, deflate, br")
plain=$(first_load "identity")
printf 'first page load: %s KiB over the wire (browser encodings), %s KiB uncompressed\n' \
  "$((br / 1024))" "$((plain / 1024))"
