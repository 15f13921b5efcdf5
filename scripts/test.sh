#!/usr/bin/env bash
# Sets up everything needed and runs every check and test: formatting, clippy for the
# server (ssr) and browser (hydrate) builds, the Rust unit and integration tests (on
# SQLite, then the store, history and API tests again on a private PostgreSQL), and the
# browser tests in headless Chromium. Exits non-zero on the first failure.
#
#   MSK_SKIP_LINT=1 scripts/test.sh   skips fmt and clippy
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# A one-off build (CI, a fresh clone) gains nothing from incremental state but disk use.
if [[ -n "${CI:-}" ]]; then export CARGO_INCREMENTAL=0; fi
step() { printf '\n\033[1;34m== %s (%ss)\033[0m\n' "$*" "$(( $(date +%s) - start ))" >&2; }

step "setup"
scripts/setup.sh --test

# A full disk shows up as a linker failure with no reason given; say it plainly first.
free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [[ -n "$free_kb" && "$free_kb" -lt $((5 * 1024 * 1024)) ]]; then
  echo "warning: $((free_kb / 1024)) MiB free here; a build from scratch needs about 4 GB in target/" >&2
fi

if [[ -z "${MSK_SKIP_LINT:-}" ]]; then
  step "cargo fmt --check"
  cargo fmt --all -- --check
  step "imports form a tree (scripts/check-imports.py)"
  python3 scripts/check-imports.py
  step "clippy (server, ssr)"
  cargo clippy --workspace --all-targets -- -D warnings
  step "clippy (browser, hydrate)"
  cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings
fi

step "build (site and server)"
scripts/build.sh

step "PostgreSQL for the tests (scripts/pg.sh)"
pg_dir=$(mktemp -d)/pg
trap 'scripts/pg.sh stop "$pg_dir"' EXIT
MSK_TEST_PG_URL=$(scripts/pg.sh start "$pg_dir")
export MSK_TEST_PG_URL

step "cargo test (SQLite; the replica tests on PostgreSQL)"
cargo test --workspace

step "the store, history and API tests again, on PostgreSQL"
# The same selection and features as above, so nothing is compiled again: only the test
# binary's filter differs (each integration-test file is a module of tests/integration.rs).
MSK_TEST_DATABASE=postgres cargo test --workspace --test integration -- \
  history:: access:: promises:: inventory_aws:: downloads:: health:: page_cache:: hostile:: \
  cloudwatch::

step "browser tests (the replica test runs against a follower on PostgreSQL)"
(cd end2end && npx playwright test)

step "all tests passed"
