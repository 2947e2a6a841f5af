#!/usr/bin/env bash
# The python3.x packagers. PYTHON_MODE=requirements (default): pip-installs
# requirements.txt into BUILD_DIR and has the engine add the source next to
# it, read in place. PYTHON_MODE=package:
# pip-installs the project itself (pyproject.toml / setup.py) with --no-deps,
# as aws_lambda_artifact_builder does. LAYER=1 puts everything under python/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PYTHON_MODE=${PYTHON_MODE:-requirements}
# PIP may name another pip ("python3.12 -m pip", ".venv/bin/pip"); split on spaces.
read -r -a pip <<<"${PIP:-python3 -m pip}"
export PIP_ROOT_USER_ACTION=${PIP_ROOT_USER_ACTION:-ignore} PYTHONDONTWRITEBYTECODE=1

# Where files go in the package: a layer puts them under python/.
prefix=.
[[ $LAYER == 1 ]] && prefix=python
dest=$BUILD_DIR/$prefix
mkdir -p "$dest"

source_excludes=(__pycache__ '*.pyc' .venv venv .git .pytest_cache)
[[ ${EXCLUDE_TESTS:-} == 1 ]] && source_excludes+=(tests)

runtime_python_version() {
  [[ $RUNTIME =~ ^python([0-9]+\.[0-9]+)$ ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

# With ARCHITECTURE=local pip picks wheels for the local interpreter; native
# wheels for another Python version will not import on Lambda. Say so.
note_local_python() {
  local want have
  want=$(runtime_python_version) || return 0
  have=$("${pip[@]}" --version 2>/dev/null | sed -n 's/.*(python \([0-9.]*\)).*/\1/p') || true
  if [[ -n $have && $have != "$want" ]]; then
    note "pip runs on Python $have but RUNTIME is $RUNTIME; native wheels may not load on Lambda." \
      "Set PIP to a Python $want pip, or leave architecture unset to download Lambda's wheels."
  fi
}

pip_install=("${pip[@]}" install --disable-pip-version-check --no-compile --progress-bar off --target "$dest")

install_requirements() {
  [[ -f requirements.txt ]] || return 0
  local args=("${pip_install[@]}")
  if [[ -n $ARCHITECTURE && $ARCHITECTURE != local ]]; then
    local platform version
    case $ARCHITECTURE in
      x86_64) platform=manylinux2014_x86_64 ;;
      arm64) platform=manylinux2014_aarch64 ;;
      *) die "ARCHITECTURE must be x86_64, arm64 or local, got '$ARCHITECTURE'." ;;
    esac
    version=$(runtime_python_version) ||
      die "RUNTIME '$RUNTIME' names no Python version (like python3.12); it is needed to pick wheels for ARCHITECTURE=$ARCHITECTURE."
    args+=(--platform "$platform" --only-binary=:all: --implementation cp --python-version "$version")
  else
    note_local_python
  fi
  "${args[@]}" -r requirements.txt ||
    die "pip could not install $SOURCE_PATH/requirements.txt${ARCHITECTURE:+ as wheels for $ARCHITECTURE (every requirement needs a manylinux wheel; unset architecture to build with the local Python)}. See pip's messages above."
}

install_package() {
  [[ -f pyproject.toml || -f setup.py ]] ||
    die "PYTHON_MODE=package needs a pyproject.toml or setup.py in $SOURCE_PATH; add one, or use PYTHON_MODE=requirements."
  # Built from a scratch copy: setuptools writes build/ and *.egg-info into
  # the tree it builds, which would dirty the user's source and leak stale
  # files from an old build/ into the next package.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  copy_tree "$SOURCE_PATH" "$scratch/src" "${source_excludes[@]}" ./build ./dist '*.egg-info'
  [[ -n $ARCHITECTURE && $ARCHITECTURE != local ]] && note "PYTHON_MODE=package builds the project with the local Python and installs no dependencies, so ARCHITECTURE=$ARCHITECTURE changes nothing."
  "${pip_install[@]}" --no-deps "$scratch/src" ||
    die "pip could not build and install the project in $SOURCE_PATH. See pip's messages above."
}

# Left out so two builds of the same input give the same bytes: bytecode
# (Lambda compiles on import), direct_url.json (holds the absolute path built
# from) and INSTALLER. RECORD is kept, minus the lines of those files, so
# importlib.metadata still lists what is really there.
strip_build_noise() {
  find "$dest" -depth -type d -name __pycache__ -exec rm -rf {} +
  find "$dest" -type f -name '*.pyc' -delete
  find "$dest" -type f \( -path '*.dist-info/direct_url.json' -o -path '*.dist-info/INSTALLER' \) -delete
  local record
  while IFS= read -r -d '' record; do
    grep -v -E '(\.pyc|/direct_url\.json|/INSTALLER),' "$record" >"$record.tmp" || true
    mv "$record.tmp" "$record"
  done < <(find "$dest" -type f -path '*.dist-info/RECORD' -print0)
}

case $PYTHON_MODE in
  requirements)
    install_requirements
    # Read in place by the engine; a source file wins over a dependency of the same name.
    include_source "$prefix" "${source_excludes[@]}"
    ;;
  package) install_package ;;
  *) die "PYTHON_MODE must be 'requirements' or 'package', got '$PYTHON_MODE'." ;;
esac
strip_build_noise
