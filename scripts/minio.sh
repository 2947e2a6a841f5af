#!/usr/bin/env bash
# Runs the MinIO harness CLI: `npm run -s minio -- start|stop|env`.
# `eval "$(npm run -s minio -- start)"` exports the AWS_* variables of the server.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
if [[ ! -f dist/scripts/minio.js ]]; then
  # tsc emits even when unrelated files have type errors; the file check decides.
  npm run -s build >&2 || true
  [[ -f dist/scripts/minio.js ]] || { echo "minio: build did not produce dist/scripts/minio.js" >&2; exit 1; }
fi
exec node dist/scripts/minio.js "$@"
