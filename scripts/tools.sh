#!/usr/bin/env bash
# Builds the Go tools the tests and the demo use into .tools/bin (git-ignored),
# once per machine: MinIO, the Pulumi CLI and the Node.js language host.
# A stamp file per tool records what was built, so a warm machine skips it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.tools/bin"
mkdir -p "$BIN"

# MinIO is archived; its last release, RELEASE.2025-10-15T17-29-55Z (commit
# 9e49d5e7a648), is refused by the module proxy this project can reach, so we
# pin the archived tip, the only later commit the proxy serves.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
# The CLI must match the @pulumi/pulumi the project installs.
PULUMI_VERSION=$(sed -n 's/.*"@pulumi\/pulumi": *"[^0-9]*\([0-9.]*\)".*/\1/p' "$ROOT/package.json" | head -1)

built() { [[ -x "$BIN/$1" && "$(cat "$BIN/.$1.stamp" 2>/dev/null)" == "$2" ]]; }
stamp() { echo "$2" >"$BIN/.$1.stamp"; }

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

if ! built minio "$MINIO_VERSION"; then
  echo "tools: building minio@$MINIO_VERSION (a few minutes, once per machine)" >&2
  GOBIN="$BIN" go install "github.com/minio/minio@$MINIO_VERSION"
  stamp minio "$MINIO_VERSION"
fi

if ! built pulumi "$PULUMI_VERSION"; then
  echo "tools: building pulumi v$PULUMI_VERSION (several minutes, once per machine)" >&2
  (cd "$ROOT/tools/pulumi-cli" &&
    go build -trimpath -o "$BIN/pulumi" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  stamp pulumi "$PULUMI_VERSION"
fi

# Our own minimal language host (tools/pulumi-cli/cmd/pulumi-language-nodejs):
# the official one's module is not served by the proxy. It sits next to the
# CLI, where the CLI looks for bundled plugins, and reports the CLI's version.
if ! built pulumi-language-nodejs "$PULUMI_VERSION"; then
  echo "tools: building pulumi-language-nodejs v$PULUMI_VERSION" >&2
  (cd "$ROOT/tools/pulumi-cli" &&
    go build -trimpath -o "$BIN/pulumi-language-nodejs" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      ./cmd/pulumi-language-nodejs)
  stamp pulumi-language-nodejs "$PULUMI_VERSION"
fi

# The dynamic-provider plugin ships inside @pulumi/pulumi, not on PATH; the
# CLI looks for plugins next to itself (as in Pulumi's own releases) before
# PATH. This two-line launcher there runs the shipped script of the program's
# own @pulumi/pulumi (the CLI starts plugins in the program's directory).
# Putting node_modules/@pulumi/pulumi on PATH also works, but makes every run
# warn "using pulumi-resource-pulumi-nodejs from $PATH".
LAUNCHER_VERSION="$PULUMI_VERSION-2"
if ! built pulumi-resource-pulumi-nodejs "$LAUNCHER_VERSION"; then
  cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
sdk=$(node -p 'require("path").dirname(require.resolve("@pulumi/pulumi/package.json"))') || exit 1
exec "$sdk/pulumi-resource-pulumi-nodejs" "$@"
SH
  chmod +x "$BIN/pulumi-resource-pulumi-nodejs"
  stamp pulumi-resource-pulumi-nodejs "$LAUNCHER_VERSION"
fi
