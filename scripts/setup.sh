#!/usr/bin/env bash
# Installs everything the tests and the demo need: Node >= 22, npm packages,
# the Go-built tools (MinIO, Pulumi CLI), and the compiled library.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# `npm ci` is skipped when the lockfile has not changed since the last install.
LOCK_STAMP=node_modules/.package-lock.sha256
if [[ ! -f "$LOCK_STAMP" ]] || ! sha256sum --quiet -c "$LOCK_STAMP" 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json >"$LOCK_STAMP"
fi

bash scripts/tools.sh
npm run -s build
