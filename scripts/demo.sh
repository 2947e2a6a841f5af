#!/usr/bin/env bash
# The main job on a fresh machine: install everything, start a local MinIO,
# create a versioned bucket, and `pulumi up` the example program into it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
eval "$(bash scripts/minio.sh start)"
BUCKET=${DEMO_BUCKET:-lambda-artifacts}
bash scripts/minio.sh bucket "$BUCKET"
source scripts/pulumi-env.sh

pulumi stack select --create dev >/dev/null
pulumi config set bucket "$BUCKET"
pulumi up --yes --skip-plugin-pre-install
echo
pulumi stack output --json
cat <<MSG

MinIO keeps running for you to look around ($AWS_ENDPOINT_URL_S3):
  aws --endpoint-url "$AWS_ENDPOINT_URL_S3" s3api list-object-versions --bucket $BUCKET
Stop it with: npm run minio -- stop
MSG
