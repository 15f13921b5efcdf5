#!/usr/bin/env bash
# Replica benchmark (issue 15): 1 vs 3 consoles on one PostgreSQL behind nginx (round
# robin on loopback), on this machine, and the takeover time after `kill -9` of the
# leader. Builds release, starts a private PostgreSQL (scripts/pg.sh), generates an
# inventory file of N clusters, and prints a table and the takeover times.
#
#   scripts/bench-replicas.sh [CLUSTERS]    default 200; CI does not run it
#
# Environment: DURATION (wrk seconds per run, default 10), CONNECTIONS (default 64),
# KILLS (takeovers to time, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
clusters=${1:-200}
duration=${DURATION:-10}
conns=${CONNECTIONS:-64}
kills=${KILLS:-5}

scripts/setup.sh --bench >&2
scripts/build.sh --release >&2

tmp=$(mktemp -d)
declare -A pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$tmp/nginx.pid" ]] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  scripts/pg.sh stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

python3 scripts/lib/bench_inventory.py "$clusters" > "$tmp/inventory.toml"
pg=$(scripts/pg.sh start "$tmp/pg")
psql "$pg" -q -c "CREATE DATABASE bench"
db=${pg%/postgres}/bench
proxy=3590
ports=(3591 3592 3593)

start() { # PORT
  target/release/msk-console --no-aws --no-probe --inventory-file "$tmp/inventory.toml" \
    --listen "127.0.0.1:$1" --public-url "http://127.0.0.1:$proxy" --replica-name "r$1" \
    --database-url "$db" --session-key-file "$tmp/session.key" --log warn &
  pids[$1]=$!
}
healthz() { curl -s -m 1 "http://127.0.0.1:$1/healthz" 2>/dev/null || true; }
role() { healthz "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["replica"]["role"])' 2>/dev/null || echo down; }
wait_up() { # PORT
  for _ in $(seq 300); do [[ "$(role "$1")" != down ]] && return; sleep 0.1; done
  echo "replica on $1 did not start" >&2; exit 1
}
# Every replica serves all the clusters.
wait_listed() {
  for p in "$@"; do
    for _ in $(seq 300); do
      n=$(healthz "$p" | python3 -c 'import json,sys; print(json.load(sys.stdin)["clusters"])' 2>/dev/null || echo 0)
      [[ "$n" == "$clusters" ]] && break
      sleep 0.1
    done
  done
}

nginx_with() { # PORTS...: starts nginx with these upstreams, or reloads it with them
  local servers=""
  for p in "$@"; do servers+="server 127.0.0.1:$p; "; done
  cat > "$tmp/nginx.conf" <<NGINX
daemon on;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream consoles { $servers keepalive 128; }
  server {
    listen 127.0.0.1:$proxy;
    location / {
      proxy_pass http://consoles;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
    }
  }
}
NGINX
  if [[ -f "$tmp/nginx.pid" ]]; then
    nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log" -s reload
    sleep 1 # the old workers finish their connections
  else
    nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log"
  fi
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$proxy/healthz" && return; sleep 0.1; done
}

measure() { # URL -> "req/s p99 non2xx"
  wrk -t2 -c"$conns" -d"${duration}s" --latency "$1" 2>/dev/null | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $4 }
    END { printf "%s %s %s\n", rps, p99, bad + 0 }'
}

for p in "$proxy" "${ports[@]}"; do
  if curl -s -o /dev/null -m 1 "http://127.0.0.1:$p/"; then
    echo "port $p is in use (a console or nginx left from another run?)" >&2; exit 1
  fi
done
for p in "${ports[@]}"; do start "$p"; wait_up "$p"; done
wait_listed "${ports[@]}"
id=$(curl -s "http://127.0.0.1:${ports[0]}/api/clusters?brief=true" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["clusters"][0]["id"])')

printf '\n%d clusters, wrk -t2 -c%d -d%ss through nginx (round robin), %s cores\n\n' \
  "$clusters" "$conns" "$duration" "$(nproc)"
printf '| path | 1 replica req/s | 1 replica p99 | 3 replicas req/s | 3 replicas p99 |\n|---|---|---|---|---|\n'
declare -A one three
for n in 1 3; do
  nginx_with "${ports[@]:0:$n}"
  for path in "/" "/clusters/$id" "/api/clusters"; do
    read -r rps p99 bad <<<"$(measure "http://127.0.0.1:$proxy$path")"
    [[ "$bad" == 0 ]] || echo "warning: $bad non-2xx answers on $path" >&2
    if [[ $n == 1 ]]; then one[$path]="$rps | $p99"; else three[$path]="$rps | $p99"; fi
  done
done
for path in "/" "/clusters/$id" "/api/clusters"; do
  label=${path/$id/\{id\}}
  printf '| `%s` | %s | %s |\n' "$label" "${one[$path]}" "${three[$path]}"
done

# Takeover: kill -9 the leader, time until another replica says it leads, restart it.
printf '\ntakeover after kill -9 of the leader (ms):'
for _ in $(seq "$kills"); do
  leader=""
  for p in "${ports[@]}"; do [[ "$(role "$p")" == leader ]] && leader=$p; done
  [[ -n "$leader" ]] || { echo " no leader found" >&2; exit 1; }
  t0=$(date +%s%N)
  kill -9 "${pids[$leader]}"
  wait "${pids[$leader]}" 2>/dev/null || true
  new=""
  while [[ -z "$new" ]]; do
    for p in "${ports[@]}"; do
      [[ $p == "$leader" ]] && continue
      [[ "$(role "$p")" == leader ]] && new=$p
    done
    (( ($(date +%s%N) - t0) > 30000000000 )) && { echo " no takeover within 30 s" >&2; exit 1; }
  done
  printf ' %d' $(( ($(date +%s%N) - t0) / 1000000 ))
  start "$leader"; wait_up "$leader"; wait_listed "$leader"
done
printf '\n'
