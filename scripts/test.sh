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
# The zip store (engine/zip/store) of the whole run is a directory of its own, removed at the end:
# the suite neither reads nor fills the user's cache, and every run starts from an empty store.
if [[ -z ${LAMBDA_PACKAGE_ZIP_STORE:-} ]]; then
  LAMBDA_PACKAGE_ZIP_STORE=$(mktemp -d "${TMPDIR:-/tmp}/lambda-package-test-store.XXXXXX")
  export LAMBDA_PACKAGE_ZIP_STORE
  trap 'rm -rf "$LAMBDA_PACKAGE_ZIP_STORE"' EXIT
fi
# One file at a time keeps MinIO servers and packager runs from competing for
# the two cores; each test file starts and stops its own MinIO.
node --test --test-concurrency=1 "dist/test/**/*.test.js"
