#!/usr/bin/env bash
# Installs the workspace's dependencies exactly as package-lock.json says. The lock records every
# platform's optional packages (scripts/check-lock.mjs keeps it so), and package.json's
# `allowScripts` says which dependencies may run install scripts (none need to).
set -euo pipefail
cd "$(dirname "$0")/../.."
npm ci --no-audit --no-fund
