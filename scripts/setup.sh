#!/usr/bin/env bash
# Installs every tool that building, running and testing msk-console needs, idempotently.
#
# Only the package registries are reachable on our machines (crates.io, npm, Debian, PyPI),
# so nothing here downloads a release binary: wasm-bindgen comes from crates.io at the exact
# version Cargo.lock pins, wasm-opt from npm's `binaryen` (Debian's binaryen 108 breaks
# hydration at run time), and Chromium, Prometheus and node_exporter from Debian.
#
#   scripts/setup.sh          everything needed to build and run the console
#   scripts/setup.sh --test   also what the tests need (Chromium, Prometheus, Playwright,
#                             Java, Go, the Python and Node.js Kafka clients and AWS's
#                             signers, and the tansu broker, built once per machine)
#   scripts/setup.sh --test   (also PostgreSQL, for the replica and PostgreSQL tests)
#   scripts/setup.sh --bench  also what the bench scripts need (nginx, wrk, PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
want_bench=0
[[ "${1:-}" == "--test" ]] && want_test=1
[[ "${1:-}" == "--bench" ]] && want_bench=1

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock to the patch version.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [[ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 min)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [[ ! -x tools/node_modules/.bin/wasm-opt ]]; then
  log "installing wasm-opt (npm binaryen)"
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi

apt_pkgs=()
# scripts/build.sh precompresses the site with it (gzip alone without).
command -v brotli >/dev/null || apt_pkgs+=(brotli)
if (( want_bench )); then
  command -v nginx >/dev/null || apt_pkgs+=(nginx-light)
  command -v wrk >/dev/null || apt_pkgs+=(wrk)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_pkgs+=(postgresql)
fi
if (( want_test )); then
  command -v chromium >/dev/null || apt_pkgs+=(chromium)
  command -v prometheus >/dev/null || apt_pkgs+=(prometheus)
  command -v prometheus-node-exporter >/dev/null || apt_pkgs+=(prometheus-node-exporter)
  command -v keytool >/dev/null || apt_pkgs+=(openjdk-17-jre-headless)
  command -v kcat >/dev/null || apt_pkgs+=(kcat)
  command -v openssl >/dev/null || apt_pkgs+=(openssl)
  command -v systemd-analyze >/dev/null || apt_pkgs+=(systemd)
  # The generated Sarama snippets compile with Debian's Go and Debian's Go packages
  # (GOPATH mode: there is no module proxy here).
  command -v go >/dev/null || apt_pkgs+=(golang-go)
  [[ -d /usr/share/gocode/src/github.com/Shopify/sarama ]] || apt_pkgs+=(golang-github-shopify-sarama-dev)
  [[ -d /usr/share/gocode/src/github.com/xdg-go/scram ]] || apt_pkgs+=(golang-github-xdg-go-scram-dev)
  # @confluentinc/kafka-javascript builds librdkafka against these when it installs.
  [[ -f /usr/include/openssl/ssl.h ]] || apt_pkgs+=(libssl-dev)
  [[ -f /usr/include/zlib.h ]] || apt_pkgs+=(zlib1g-dev)
  [[ -f /usr/include/zstd.h ]] || apt_pkgs+=(libzstd-dev)
  command -v g++ >/dev/null || apt_pkgs+=(g++)
  command -v make >/dev/null || apt_pkgs+=(make)
  # scripts/pg.sh starts a private server from these binaries (no system service).
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_pkgs+=(postgresql)
fi
if (( ${#apt_pkgs[@]} )); then
  log "installing Debian packages: ${apt_pkgs[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

if (( want_test )) && [[ ! -d end2end/node_modules/playwright-core ]]; then
  log "installing the browser-test packages (playwright-core; no browser download)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
# Node.js clients the generated kafkajs snippets run with (kafkajs, AWS's JS signer).
if (( want_test )) && ! cmp -s tools/node-clients/package-lock.json tools/node-clients/node_modules/.installed-lock 2>/dev/null; then
  log "installing the Node.js client packages (kafkajs, aws-msk-iam-sasl-signer-js)"
  (cd tools/node-clients && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi
# Python peers: AWS's IAM signer, confluent-kafka (real librdkafka), kafka-python and
# aiokafka for the generated client snippets, moto's CloudWatch and cfn-lint for the CloudWatch tests, in a virtual
# environment of our own, re-made when the pins change.
if (( want_test )); then
  req=tools/requirements-test.txt
  if ! cmp -s "$req" tools/python/requirements.installed 2>/dev/null; then
    log "installing the Python test packages into tools/python"
    rm -rf tools/python
    python3 -m venv tools/python
    tools/python/bin/pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" tools/python/requirements.installed
  fi
fi
# @confluentinc/kafka-javascript fetches a prebuilt binary from GitHub, which our machines
# cannot reach, and then builds librdkafka from its bundled source. CKJS_LINKING=dynamic
# links it against Debian's OpenSSL, zlib and zstd (its default fetches their sources).
# About 3 min on 2 cores, so it lives outside the clone, re-made when the lock changes.
CKJS_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/msk-console/node-confluent"
if (( want_test )) && ! cmp -s tools/node-confluent/package-lock.json "$CKJS_DIR/node_modules/.installed-lock" 2>/dev/null; then
  log "building @confluentinc/kafka-javascript and its librdkafka (about 3 min, once per machine)"
  rm -rf "$CKJS_DIR"
  mkdir -p "$CKJS_DIR"
  cp tools/node-confluent/package.json tools/node-confluent/package-lock.json "$CKJS_DIR/"
  (cd "$CKJS_DIR" && CKJS_LINKING=dynamic npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.installed-lock)
fi
# A Kafka-compatible broker for the produce/consume tests of the generated clients: tansu,
# from crates.io (Rust; its memory storage engine needs the dynostore feature). A debug
# build without debug info takes about 5 min on 2 cores, so it lives outside the clone and
# a machine builds it once; an interrupted build resumes from its target directory.
TANSU_VERSION=0.6.0
TANSU_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/msk-console/tansu-$TANSU_VERSION"
if (( want_test )) && [[ ! -x "$TANSU_ROOT/bin/tansu" ]]; then
  log "building the tansu $TANSU_VERSION broker from crates.io (about 5 min, once per machine)"
  CARGO_PROFILE_DEV_DEBUG=0 cargo install tansu --version "$TANSU_VERSION" --locked \
    --features dynostore --debug --root "$TANSU_ROOT" --target-dir "$TANSU_ROOT.build" --quiet
  rm -rf "$TANSU_ROOT.build"
fi
log "tools ready"
