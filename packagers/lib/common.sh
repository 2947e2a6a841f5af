#!/usr/bin/env bash
# Shared by the built-in packagers; sourced, never run on its own.
# The contract (see packagers/README.md) hands every packager RUNTIME,
# SOURCE_PATH, BUILD_DIR, PACKAGE_ZIP and TF_PATH; fail early, naming the
# variable, when a script is run by hand without them.
set -euo pipefail

: "${RUNTIME:?RUNTIME is not set: packagers are run by lambda-package, see packagers/README.md}"
: "${SOURCE_PATH:?SOURCE_PATH is not set: packagers are run by lambda-package, see packagers/README.md}"
: "${BUILD_DIR:?BUILD_DIR is not set: packagers are run by lambda-package, see packagers/README.md}"
ARCHITECTURE=${ARCHITECTURE:-}
LAYER=${LAYER:-0}

PACKAGER_NAME=$(basename "$0" .sh)

note() { echo "$PACKAGER_NAME packager: $*" >&2; }

die() {
  echo "$PACKAGER_NAME packager: $*" >&2
  exit 1
}

# include_source DIR [EXCLUDE...]: asks the engine to put the source directory
# into the package under DIR ("." for the root) as it is, read in place: no
# copy. EXCLUDE patterns are gitignore-style, over paths in the source. Files
# of the source win over files of the same path in BUILD_DIR.
include_source() {
  : "${SOURCE_MANIFEST:?SOURCE_MANIFEST is not set: run by a lambda-package older than this script?}"
  local dir=$1
  shift
  echo "include $dir" >>"$SOURCE_MANIFEST"
  local pattern
  for pattern in "$@"; do echo "exclude $pattern" >>"$SOURCE_MANIFEST"; done
}

# copy_tree SRC DEST [EXCLUDE...]: copies SRC's contents into DEST keeping
# modes and symlinks, leaving out every file or folder whose name matches one
# of the glob patterns at any depth. tar (not cp -a then rm) so a large .git
# or node_modules is never read at all.
copy_tree() {
  local src=$1 dest=$2
  shift 2
  local args=()
  local pattern
  for pattern in "$@"; do args+=("--exclude=$pattern"); done
  mkdir -p "$dest"
  tar -C "$src" "${args[@]}" -cf - . | tar -C "$dest" -xf -
}
