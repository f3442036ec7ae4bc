#!/usr/bin/env bash
# Packages every published crate of the workspace and dry-runs its
# publication in dependency order (cargo orders `--workspace` itself), after
# checking that each package carries both licence files and its README.
#
#   bash tools/publish_dry_run.sh           # package lists + dry run
#
# The dry run skips the per-package rebuild (--no-verify): each package is
# compiled and tested from the workspace by CI's test step, and rebuilding
# burn for the neural crates here would cost a quarter of CI's time budget.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p.get("publish") != []:
        print(p["name"])
')

status=0
for p in $packages; do
  list=$(cargo package --list --allow-dirty -p "$p" 2>/dev/null)
  for f in LICENSE-MIT LICENSE-APACHE README.md Cargo.toml; do
    if ! grep -qx "$f" <<<"$list"; then
      echo "package $p lacks $f"; status=1
    fi
  done
  echo "package $p: $(wc -l <<<"$list") files, licence files and README included"
done
(( status == 0 )) || exit 1

# The dry run verifies each package against a local overlay registry whose
# extracted sources cargo caches by name and version; drop stale copies of our
# own crates from earlier runs on this machine so the current sources are used.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
rm -rf "$cargo_home"/registry/src/-*/voltai-* "$cargo_home"/registry/cache/-*/voltai-* 2>/dev/null || true
cargo publish --workspace --dry-run --allow-dirty --no-verify
