#!/usr/bin/env bash
# The whole test suite: setup, format check, type check, lint, then every test
# (unit, integration against a real MinIO, end-to-end with the real Pulumi CLI).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
npm run -s format:check
npm run -s typecheck
npm run -s lint
# One file at a time keeps MinIO servers and packager runs from competing for
# the two cores; each test file starts and stops its own MinIO.
node --test --test-concurrency=1 "dist/test/**/*.test.js"
