#!/usr/bin/env bash
# The nodejsNN.x packagers: the source (minus node_modules), read in place by
# the engine, plus its production dependencies, installed by npm into
# BUILD_DIR from a copy of package.json, the lockfile and .npmrc, so the
# user's own node_modules is neither read nor touched. LAYER=1 installs only
# the dependencies, under nodejs/node_modules/ as Lambda layers expect.
set -euo pipefail
source "$(dirname "$0")/common.sh"

lockfiles=(package-lock.json npm-shrinkwrap.json)

has_dependencies() {
  [[ -f $1/package.json ]] || return 1
  node -e 'const p = require(process.argv[1]); process.exit(Object.keys(p.dependencies || {}).length ? 0 : 1)' \
    "$1/package.json"
}

npm_install() {
  local dir=$1 command=(install)
  local lock
  for lock in "${lockfiles[@]}"; do [[ -f $dir/$lock ]] && command=(ci); done
  local args=(--omit=dev --no-audit --no-fund --ignore-scripts="${npm_config_ignore_scripts:-false}")
  case $ARCHITECTURE in
    # local (or unset, run by hand): npm's own choice, this machine's.
    '' | local) ;;
    # Picks the matching optional dependencies (esbuild, sharp, ...) for Lambda.
    x86_64) args+=(--os=linux --cpu=x64) ;;
    arm64) args+=(--os=linux --cpu=arm64) ;;
    *) die "ARCHITECTURE must be x86_64, arm64 or local, got '$ARCHITECTURE'." ;;
  esac
  (cd "$dir" && npm "${command[@]}" "${args[@]}") ||
    die "npm ${command[*]} failed in $dir (copied from $SOURCE_PATH). See npm's messages above."
  # npm's hidden lockfile records install-time details; not needed to run.
  rm -f "$dir/node_modules/.package-lock.json"
}

# npm needs only these to install; everything else stays where it is.
install_files=(package.json .npmrc "${lockfiles[@]}")

if [[ $LAYER == 1 ]]; then
  [[ -f package.json ]] ||
    die "a Node.js layer is built from package.json, and $SOURCE_PATH has none. Add one listing the layer's dependencies."
  dest=$BUILD_DIR/nodejs
else
  dest=$BUILD_DIR
  include_source . node_modules/ .git
fi
mkdir -p "$dest"
for file in "${install_files[@]}"; do
  if [[ -f $file ]]; then cp -p "$file" "$dest/"; fi
done

if has_dependencies "$dest"; then
  npm_install "$dest"
else
  note "no dependencies in package.json; nothing to install."
fi
