#!/usr/bin/env bash
# Runs the MinIO harness CLI: `npm run -s minio -- start | stop | env | bucket <name>`.
# `eval "$(npm run -s minio -- start)"` exports the AWS_* variables of the server;
# `LAMBDA_PACKAGE_MINIO_DIR` moves its state, data and log (default .tools/minio).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
entry=dist/scripts/minio/cli.js
if [[ ! -f $entry || -n "$(find scripts/minio.ts scripts/minio -name '*.ts' -newer "$entry")" ]]; then
  # tsc emits even when unrelated files have type errors; the file check decides.
  npm run -s build >&2 || true
  [[ -f $entry ]] || { echo "minio: build did not produce $entry" >&2; exit 1; }
fi
exec node dist/scripts/minio.js "$@"
