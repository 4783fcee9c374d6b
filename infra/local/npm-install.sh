#!/usr/bin/env bash
# Installs the workspace's dependencies exactly as package-lock.json says (`npm ci`).
#
# npm 11 writes lock files without the optional packages of other platforms (rollup's and
# buf's native binaries: npm/cli#4828, #8320) and then its own `npm ci` refuses such a lock
# ("package.json and package-lock.json ... are in sync ... Missing: @rollup/rollup-darwin-arm64").
# In that one case, fall back to `npm install`, which installs the same locked versions.
set -euo pipefail
cd "$(dirname "$0")/../.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if npm ci --no-audit --no-fund >"$log" 2>&1; then
  grep -v '^npm warn' "$log" | tail -n 3 || true
  exit 0
fi
if grep -q 'can only install packages when your package.json and package-lock.json' "$log" \
  && ! grep -q 'Invalid: ' "$log" \
  && ! grep 'Missing: ' "$log" | grep -qv '@ from lock file'; then
  echo "trellis: npm ci refused the lock file only for other platforms' optional packages (npm/cli#4828); using npm install"
  npm install --no-audit --no-fund
  exit 0
fi
cat "$log" >&2
exit 1
