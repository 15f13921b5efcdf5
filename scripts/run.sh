#!/usr/bin/env bash
# Sets up everything needed, builds the console (release) and runs it on
# http://127.0.0.1:3000. Arguments go to the console: `scripts/run.sh --sample`,
# `scripts/run.sh --aws-profiles prod --aws-regions eu-west-1`; see `--help`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --release
exec target/release/msk-console "$@"
