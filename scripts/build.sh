#!/usr/bin/env bash
# Builds the whole console without cargo-leptos (whose helper downloads fail offline):
#   1. the app crate to wasm (feature `hydrate`),
#   2. wasm-bindgen (pinned to Cargo.lock's version) into target/site/pkg,
#   3. wasm-opt from npm's binaryen (release only),
#   4. the stylesheet and public/ into the site,
#   5. the server binary (feature `ssr` through the app dependency).
#
#   scripts/build.sh            debug build (fast to compile; what the tests use)
#   scripts/build.sh --release  optimised build (what scripts/run.sh serves)
set -euo pipefail
cd "$(dirname "$0")/.."

release=0
[[ "${1:-}" == "--release" ]] && release=1
name=msk-console
site=target/site

if (( release )); then
  wasm_flags=(--profile wasm-release); wasm_dir=wasm-release; server_flags=(--release)
else
  wasm_flags=(); wasm_dir=debug; server_flags=()
fi

echo "[build] app -> wasm" >&2
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate "${wasm_flags[@]}"

echo "[build] wasm-bindgen" >&2
rm -rf "$site/pkg"
mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" --out-name "$name" \
  "target/wasm32-unknown-unknown/$wasm_dir/app.wasm"

if (( release )); then
  echo "[build] wasm-opt -Oz" >&2
  tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$site/pkg/${name}_bg.wasm" -o "$site/pkg/${name}_bg.wasm"
fi

cp style/main.css "$site/pkg/$name.css"
cp -R public/. "$site/"

# Precompressed copies, served as they are to browsers that accept them (no compression
# per request, and brotli's best ratio, which is too slow to use on the fly).
echo "[build] precompress" >&2
# Brotli's best (-q 11) takes about 25 s on a debug wasm; debug builds use -q 5.
quality=$(( release ? 11 : 5 ))
find "$site" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) | while read -r f; do
  gzip -9 -k -f -n "$f"
  if command -v brotli >/dev/null; then brotli -q "$quality" -k -f "$f"; fi
done

echo "[build] server" >&2
cargo build -p msk-console "${server_flags[@]}"
echo "[build] done: site in $site, server in target/$([[ $release == 1 ]] && echo release || echo debug)/msk-console" >&2
