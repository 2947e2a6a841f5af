#!/usr/bin/env bash
# The python3.x packagers. PYTHON_MODE=requirements (default): installs the
# dependencies into BUILD_DIR and has the engine add the source next to them,
# read in place. They come from the first of uv.lock, poetry.lock,
# pylock.toml in the source, the uv.lock of the uv workspace it is a member
# of, requirements.txt, and the dependencies its pyproject.toml declares
# (resolved by pip, unpinned), as wheels for Lambda's platform: ARCHITECTURE (x86_64 when unset) and the Python and glibc of
# RUNTIME, unless ARCHITECTURE=local. Reading lockfiles, evaluating markers
# and choosing wheels is engine/python (main.ts), run with the engine's node;
# pip downloads, builds and installs. PYTHON_MODE=package: pip-installs the
# project itself (pyproject.toml / setup.py) with --no-deps, as
# aws_lambda_artifact_builder does. LAYER=1 puts everything under python/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PYTHON_MODE=${PYTHON_MODE:-requirements}
# Lambda's default when the script is run by hand; the helper reads it too.
export ARCHITECTURE=${ARCHITECTURE:-x86_64}
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

# Plans, pip's logs and the wheels built here; never in the source tree.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The lockfile reader (engine/python/main.ts), run with the node running the
# engine. It prints its own notes and errors, as this script would.
python_helper() {
  local helper=$TF_PATH/dist/engine/python/main.js
  [[ -f $helper ]] ||
    die "$helper is missing: lambda-package in $TF_PATH is not built. Run \`npm run build\` there."
  "${NODE_BINARY:-node}" "$helper" "$@"
}

# run_logged LOG COMMAND...: COMMAND's output goes to the build's log (stderr)
# and to LOG, for the helper to explain a failure from.
run_logged() {
  local log=$1
  shift
  "$@" 2>&1 | tee "$log" >&2
}

# scratch_copy DIR: prints the path of a copy of DIR to build from. setuptools
# writes build/ and *.egg-info into the tree it builds, which would dirty the
# user's source and leak stale files from an old build/ into the next package.
scratch_copy() {
  local copy
  copy=$(mktemp -d -p "$scratch")
  copy_tree "$1" "$copy" "${source_excludes[@]}" ./build ./dist '*.egg-info'
  echo "$copy"
}

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
# Builds one wheel, no dependencies, with the local Python. That Python need
# not be the runtime's, so its Requires-Python is not checked here: the
# version was chosen for the runtime (by the lock, or by pip resolving for it).
pip_wheel=("${pip[@]}" wheel --disable-pip-version-check --progress-bar off --no-deps --ignore-requires-python)

install_dependencies() {
  local plan=$scratch/plan source file
  python_helper plan "$plan" || exit 1
  source=$(<"$plan/source")
  # The file itself, absolute: a workspace member's uv.lock is in the workspace's root.
  file=$(<"$plan/file")
  # pip's flags for Lambda's platform, one per line; none for ARCHITECTURE=local.
  mapfile -t target <"$plan/target.args"
  case $source in
    '') ;;
    requirements.txt) install_unpinned requirements.txt "$file" ;;
    pyproject.toml) install_unpinned "$plan/unpinned.txt" "$file" ;;
    *) install_lock "$file" "$plan" ;;
  esac
}

# From a lockfile: exactly the locked files, each checked against its hash,
# nothing resolved again (--no-deps). Packages with only a source
# distribution, and the project's own directories (uv workspace members,
# Poetry path dependencies), are built into wheels here and installed like
# the others: regular packages, never editable. LOCKFILE is its absolute path.
install_lock() {
  local lockfile=$1 plan=$2 built=$scratch/built requirements=$scratch/install.txt dir
  mkdir -p "$built/sdists" "$built/directories"
  cp "$plan/wheels.txt" "$requirements"
  if [[ -s $plan/sdists.txt ]]; then
    note "no wheel for Lambda of: $(cut -d' ' -f1 "$plan/sdists.txt" | paste -sd' '); building them from their source distributions."
    "${pip_wheel[@]}" --no-binary=:all: --require-hashes -w "$built/sdists" -r "$plan/sdists.txt" >&2 ||
      die "pip could not build the source distributions $lockfile locks for the packages above. See pip's messages above."
  fi
  while IFS= read -r dir; do
    "${pip_wheel[@]}" -w "$built/directories" "$(scratch_copy "$dir")" >&2 ||
      die "pip could not build $dir, a package of the project that $lockfile installs. See pip's messages above."
  done <"$plan/directories.txt"
  # Pure-Python wheels with their hashes; compiled ones stop the build here.
  python_helper built "$lockfile" "$built/sdists" "$built/directories" >>"$requirements" || exit 1
  [[ -s $requirements ]] || return 0
  # pip install checks Requires-Python against the Python it runs on, even
  # with --python-version; the lock was made for the runtime's Python, which
  # the helper checked against the lock's requires-python.
  run_logged "$scratch/pip.log" "${pip_install[@]}" --no-deps --require-hashes --ignore-requires-python \
    "${target[@]}" -r "$requirements" ||
    {
      python_helper explain "$lockfile" "$scratch/pip.log"
      exit 1
    }
}

# install_unpinned REQUIREMENTS FILE: pip resolves REQUIREMENTS (requirements.txt,
# or the requirements the helper took from FILE, a pyproject.toml). A
# requirement without a wheel for Lambda is built from its source
# distribution with the local Python: a pure-Python build is installed; a
# native one is set aside, and pip goes on resolving (--dry-run, with a
# pure-looking stand-in of it) to find every other, so that one error names
# them all.
install_unpinned() {
  local requirements=$1 file=$2
  if ((${#target[@]} == 0)); then
    note_local_python
    run_logged "$scratch/pip.log" "${pip_install[@]}" -r "$requirements" ||
      {
        python_helper explain "$file" "$scratch/pip.log"
        exit 1
      }
    return
  fi
  local pure=$scratch/pure natives=$scratch/natives standins=$scratch/standins
  mkdir -p "$pure" "$natives" "$standins"
  local tried=() attempt=0 log missing out wheel name version rest
  while :; do
    log=$scratch/pip-$((++attempt)).log
    local args=("${pip_install[@]}" "${target[@]}" --find-links "$pure" -r "$requirements")
    compgen -G "$natives/*.whl" >/dev/null && args+=(--dry-run --find-links "$standins")
    run_logged "$log" "${args[@]}" && break
    missing=$(python_helper missing "$log")
    if [[ -z $missing ]] || printf '%s\n' "${tried[@]}" | grep -qxF -- "$missing"; then
      python_helper explain "$file" "$log"
      exit 1
    fi
    tried+=("$missing")
    note "no wheel of $missing for Lambda; building it from its source distribution with the local Python."
    out=$scratch/sdist-$attempt
    if ! "${pip_wheel[@]}" --no-binary=:all: -w "$out" "$missing" >&2; then
      python_helper explain "$file" "$log"
      exit 1
    fi
    wheel=$(compgen -G "$out/*.whl")
    if python_helper is-pure "$wheel"; then
      mv "$wheel" "$pure/"
    else
      mv "$wheel" "$natives/"
      IFS=- read -r name version rest <<<"$(basename "$wheel")"
      cp "$natives/$(basename "$wheel")" "$standins/$name-$version-py3-none-any.whl"
    fi
  done
  if compgen -G "$natives/*.whl" >/dev/null; then
    python_helper built "$file" "$natives" >/dev/null
    exit 1
  fi
}

install_package() {
  [[ -f pyproject.toml || -f setup.py ]] ||
    die "PYTHON_MODE=package needs a pyproject.toml or setup.py in $SOURCE_PATH; add one, or use PYTHON_MODE=requirements."
  case $ARCHITECTURE:$(uname -m) in
    x86_64:x86_64 | arm64:aarch64 | arm64:arm64 | local:*) ;;
    *) note "PYTHON_MODE=package builds the project with the local Python and installs no dependencies: C code in it is compiled for this machine ($(uname -m)), not for $ARCHITECTURE." ;;
  esac
  "${pip_install[@]}" --no-deps "$(scratch_copy "$SOURCE_PATH")" ||
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
    install_dependencies
    # Read in place by the engine; a source file wins over a dependency of the same name.
    include_source "$prefix" "${source_excludes[@]}"
    ;;
  package) install_package ;;
  *) die "PYTHON_MODE must be 'requirements' or 'package', got '$PYTHON_MODE'." ;;
esac
strip_build_noise
