#!/usr/bin/env bash
# Installs everything the tests and the demo need: Node >= 22, npm packages,
# the Go-built tools (MinIO, Pulumi CLI), and the compiled library.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

# `npm ci` is skipped when the lockfile has not changed since the last install.
LOCK_STAMP=node_modules/.package-lock.sha256
if [[ ! -f "$LOCK_STAMP" ]] || ! sha256sum --quiet -c "$LOCK_STAMP" >/dev/null 2>&1; then
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json >"$LOCK_STAMP"
fi
# The serialized provider loads `pulumi-lambda-package/dynamic-provider` by
# name from the program's directory, as in a user's project; this link makes
# the name resolve for the programs and tests inside this repository.
ln -sfn .. node_modules/pulumi-lambda-package

# Debian packages the tests and benchmarks use: zip/unzip check our zips and
# run seed-style packagers; awscli is the upload benchmark's reference; the
# native-code audit's and python packager's tests compile small objects and C
# extensions for x86_64 (gcc), arm64 (aarch64-linux-gnu-gcc) and against musl
# (musl-gcc), build sdists with C code (the headers of Debian's python3) and
# read ELF headers (readelf, binutils).
missing=()
for tool in zip:zip unzip:unzip aws:awscli gcc:gcc aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu \
  musl-gcc:musl-tools readelf:binutils; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool#*:}")
done
compgen -G '/usr/include/python3*/Python.h' >/dev/null || missing+=(python3-dev)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: the tests need ${missing[*]} (Debian packages); install them" >&2
  fi
fi

# The python packager tests build a wheel offline, which needs setuptools and
# wheel in some python3 (Debian's has them as python3-setuptools/python3-wheel).
has_wheel() { "$1" -c 'import setuptools, wheel' 2>/dev/null; }
if ! has_wheel python3 && ! has_wheel /usr/bin/python3; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-setuptools python3-wheel >/dev/null
  else
    echo "setup: no python3 with setuptools and wheel; install python3-setuptools python3-wheel" >&2
  fi
fi

bash scripts/tools.sh
npm run -s build
