#!/usr/bin/env bash
# Builds the whole console without cargo-leptos (whose helper downloads fail offline):
#   1. the app crate to wasm (feature `hydrate`),
#   2. wasm-bindgen (pinned to Cargo.lock's version),
#   3. wasm-opt from npm's binaryen (release only),
#   4. the stylesheet and public/,
#   5. brotli and gzip copies of the assets,
#   6. the server binary (feature `ssr` through the app dependency; a release server
#      embeds the site).
#
#   scripts/build.sh            debug build (fast to compile; what the tests use)
#   scripts/build.sh --release  optimised build (what scripts/run.sh serves)
#
# It redoes only what changed. Steps 2-5 run in a staging folder (target/site-build/…)
# and only when their inputs changed (the wasm cargo built, the stylesheet, public/, the
# tools' versions); then only the files whose bytes differ are copied into target/site.
# A file of target/site that is not rewritten keeps its time stamp, so cargo has nothing
# to recompile in a release server that embeds the site: a second run with nothing
# changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

release=0
[[ "${1:-}" == "--release" ]] && release=1
name=msk-console
site=target/site

if (( release )); then
  wasm_flags=(--profile wasm-release); wasm_dir=wasm-release; server_flags=(--release); kind=release
else
  wasm_flags=(); wasm_dir=debug; server_flags=(); kind=debug
fi
stage=target/site-build/$kind

echo "[build] app -> wasm" >&2
cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate "${wasm_flags[@]}"
wasm="target/wasm32-unknown-unknown/$wasm_dir/app.wasm"

# What the site is made from; the same inputs make the same site.
inputs=$(
  {
    echo "kind $kind"
    wasm-bindgen --version
    (( release )) && tools/node_modules/.bin/wasm-opt --version
    command -v brotli >/dev/null && echo brotli
    sha256sum "$wasm" style/main.css
    find public -type f -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
)

if [[ -f "$stage/.inputs" && "$(cat "$stage/.inputs")" == "$inputs" ]]; then
  echo "[build] site inputs unchanged: wasm-bindgen, wasm-opt and compression skipped" >&2
else
  rm -rf "$stage"
  mkdir -p "$stage/pkg"
  echo "[build] wasm-bindgen" >&2
  wasm-bindgen --target web --no-typescript --out-dir "$stage/pkg" --out-name "$name" "$wasm"
  if (( release )); then
    echo "[build] wasm-opt -Oz" >&2
    tools/node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$stage/pkg/${name}_bg.wasm" -o "$stage/pkg/${name}_bg.wasm"
  fi
  cp style/main.css "$stage/pkg/$name.css"
  cp -R public/. "$stage/"
  # Precompressed copies, served as they are to browsers that accept them (no
  # compression per request, and brotli's best ratio, which is too slow to use on the
  # fly). Brotli's best (-q 11) takes about 25 s on a debug wasm; debug builds use -q 5.
  echo "[build] precompress" >&2
  quality=$(( release ? 11 : 5 ))
  find "$stage" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) | while read -r f; do
    gzip -9 -k -f -n "$f"
    if command -v brotli >/dev/null; then brotli -q "$quality" -k -f "$f"; fi
  done
  echo "$inputs" > "$stage/.inputs"
fi

# Copy what differs; drop what the new site no longer has.
mkdir -p "$site"
changed=0
while IFS= read -r -d '' f; do
  rel=${f#"$stage"/}
  [[ "$rel" == .inputs ]] && continue
  if ! cmp -s "$f" "$site/$rel"; then
    mkdir -p "$(dirname "$site/$rel")"
    cp "$f" "$site/$rel"
    changed=$((changed + 1))
  fi
done < <(find "$stage" -type f -print0)
while IFS= read -r -d '' f; do
  rel=${f#"$site"/}
  if [[ ! -e "$stage/$rel" ]]; then rm -f "$f"; changed=$((changed + 1)); fi
done < <(find "$site" -type f -print0)
echo "[build] site: $changed file(s) changed in $site" >&2

echo "[build] server" >&2
cargo build -p msk-console "${server_flags[@]}"
echo "[build] done: site in $site, server in target/$kind/msk-console" >&2
