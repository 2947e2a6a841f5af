#!/usr/bin/env bash
# The Go-built tools the tests and the demo use: MinIO, the Pulumi CLI and the
# Node.js language host. A `pulumi` or `minio` already on PATH is used when its
# version fits (a Pulumi user has the CLI; a seven-minute Go build is not what
# a demo should cost); otherwise it is built from Go modules into .tools/bin
# (git-ignored), once per machine. Either way .tools/bin/<tool> is what runs:
# a link to the one on PATH, or the built binary; a stamp file per tool
# records which, so a warm machine skips the work. Each choice is printed.
#
# TOOLS_DRY_RUN=1 prints the choices and changes nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/.tools/bin"
DRY=${TOOLS_DRY_RUN:-}
[[ -n $DRY ]] || mkdir -p "$BIN"

# MinIO is archived; its last release, RELEASE.2025-10-15T17-29-55Z (commit
# 9e49d5e7a648), is refused by the module proxy this project can reach, so we
# pin the archived tip, the only later commit the proxy serves.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
# Conditional writes (If-None-Match on PUT and multipart completion), which
# immutable keys rely on, are in every MinIO release from 2025 on.
MINIO_OLDEST_RELEASE=2025-01-01
# The CLI must be at least the @pulumi/pulumi the project installs.
# The exact version the project installs (devDependencies), not the peer range users may meet.
PULUMI_VERSION=$(sed -n 's/.*"@pulumi\/pulumi": *"\([0-9][0-9.]*\)".*/\1/p' "$ROOT/package.json" | head -1)

say() { echo "tools: $*" >&2; }
stamped() { [[ -e "$BIN/$1" && "$(cat "$BIN/.$1.stamp" 2>/dev/null)" == "$2" ]]; }
stamp() { echo "$2" >"$BIN/.$1.stamp"; }

# A tool on PATH other than our own .tools/bin one.
on_path() {
  local dir
  local IFS=:
  for dir in $PATH; do
    [[ $dir == "$BIN" || -z $dir ]] && continue
    # Our own, reached another way (a .tools shared between checkouts by a link):
    # linking it would make .tools/bin/<tool> a link to itself.
    [[ "$dir/$1" -ef "$BIN/$1" ]] && continue
    if [[ -x "$dir/$1" && ! -d "$dir/$1" ]]; then
      echo "$dir/$1"
      return 0
    fi
  done
  return 1
}

# at_least A B: version A >= version B (dotted or dated).
at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]]; }

# use_path NAME FILE VERSION: run the tool on PATH through .tools/bin.
use_path() {
  say "$1 $3 from $2 (on PATH)"
  [[ -n $DRY ]] && return 0
  stamped "$1" "path:$2:$3" && return 0
  rm -f "$BIN/$1"
  ln -s "$2" "$BIN/$1"
  stamp "$1" "path:$2:$3"
}

export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

minio_tool() {
  local found release
  if found=$(on_path minio); then
    release=$("$found" --version 2>/dev/null | sed -n 's/.*RELEASE\.\([0-9-]*\)T.*/\1/p' | head -1)
    if [[ -n $release ]] && at_least "$release" "$MINIO_OLDEST_RELEASE"; then
      use_path minio "$found" "RELEASE.$release"
      return
    fi
    say "minio at $found is ${release:+RELEASE.$release, }older than $MINIO_OLDEST_RELEASE or unknown; building one"
  fi
  if stamped minio "$MINIO_VERSION"; then
    say "minio $MINIO_VERSION built from Go modules in .tools/bin"
    return
  fi
  say "minio: building $MINIO_VERSION from Go modules (a few minutes, once per machine)"
  [[ -n $DRY ]] && return 0
  rm -f "$BIN/minio"
  GOBIN="$BIN" go install "github.com/minio/minio@$MINIO_VERSION"
  stamp minio "$MINIO_VERSION"
}

pulumi_tool() {
  local found version
  if found=$(on_path pulumi); then
    version=$("$found" version 2>/dev/null | sed -n 's/^v\{0,1\}\([0-9][0-9.]*\).*/\1/p' | head -1)
    if [[ -n $version && ${version%%.*} == 3 ]] && at_least "$version" "$PULUMI_VERSION"; then
      # A real install brings its own language host and dynamic-provider plugin.
      use_path pulumi "$found" "v$version"
      return
    fi
    say "pulumi at $found is ${version:+v$version, }not v3 >= $PULUMI_VERSION (the SDK this project uses); building one"
  fi
  if stamped pulumi "$PULUMI_VERSION"; then
    say "pulumi v$PULUMI_VERSION built from Go modules in .tools/bin"
  else
    say "pulumi: building v$PULUMI_VERSION from Go modules (several minutes, once per machine)"
    if [[ -z $DRY ]]; then
      rm -f "$BIN/pulumi"
      (cd "$ROOT/tools/pulumi-cli" &&
        go build -trimpath -o "$BIN/pulumi" \
          -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
          github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
      stamp pulumi "$PULUMI_VERSION"
    fi
  fi
  [[ -n $DRY ]] && return 0
  language_host
  provider_launcher
}

# Our own minimal language host (tools/pulumi-cli/cmd/pulumi-language-nodejs):
# the official one's module is not served by the proxy. It sits next to the
# CLI, where the CLI looks for bundled plugins, and reports the CLI's version.
language_host() {
  stamped pulumi-language-nodejs "$PULUMI_VERSION" && return 0
  say "pulumi-language-nodejs: building v$PULUMI_VERSION"
  (cd "$ROOT/tools/pulumi-cli" &&
    go build -trimpath -o "$BIN/pulumi-language-nodejs" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
      ./cmd/pulumi-language-nodejs)
  stamp pulumi-language-nodejs "$PULUMI_VERSION"
}

# The dynamic-provider plugin ships inside @pulumi/pulumi, not on PATH; the
# CLI looks for plugins next to itself (as in Pulumi's own releases) before
# PATH. This two-line launcher there runs the shipped script of the program's
# own @pulumi/pulumi (the CLI starts plugins in the program's directory).
# Putting node_modules/@pulumi/pulumi on PATH also works, but makes every run
# warn "using pulumi-resource-pulumi-nodejs from $PATH".
provider_launcher() {
  local version="$PULUMI_VERSION-2"
  stamped pulumi-resource-pulumi-nodejs "$version" && return 0
  cat >"$BIN/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
sdk=$(node -p 'require("path").dirname(require.resolve("@pulumi/pulumi/package.json"))') || exit 1
exec "$sdk/pulumi-resource-pulumi-nodejs" "$@"
SH
  chmod +x "$BIN/pulumi-resource-pulumi-nodejs"
  stamp pulumi-resource-pulumi-nodejs "$version"
}

minio_tool
pulumi_tool
