#!/usr/bin/env bash
# Builds nexxo_core.wasm. rustup's wasm32 target when it is installed (a user's machine); otherwise
# Debian's rustc + libstd-rust-dev-wasm32 (this project's CI: rustup cannot download targets there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
target=wasm32-unknown-unknown
export CARGO_TARGET_DIR="$here/target"
export RUSTFLAGS="-C link-arg=--strip-all"
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  cargo build --release --target "$target"
elif [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/$target ]; then
  # rustup's cargo cannot drive rustc 1.63, so Debian's pair is used together, offline (std only).
  RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --offline --target "$target"
else
  echo "nexxo: cannot build wasm: install rustup's $target target, or on Debian: apt-get install rustc cargo libstd-rust-dev-wasm32" >&2
  exit 1
fi
cp "$CARGO_TARGET_DIR/$target/release/nexxo_wasm.wasm" "$here/nexxo_core.wasm"
size=$(stat -c %s "$here/nexxo_core.wasm")
echo "nexxo: wasm/nexxo_core.wasm $((size / 1024)) KiB"
# The issue's budget: the stripped module stays under 300 KB.
if [ "$size" -ge 300000 ]; then
  echo "nexxo: wasm module is $size bytes, over the 300 KB budget" >&2
  exit 1
fi
