#!/usr/bin/env bash
# The nodejsNN.x packagers. Their work (finding the package manager and the
# workspace, installing production dependencies into BUILD_DIR from a scratch
# copy of the manifests, bundling with esbuild when BUNDLE is set) is done by
# the engine's Node.js code in dist/engine/nodejs, run with the Node.js that
# runs the engine (NODE_BINARY), under this same contract.
set -euo pipefail
source "$(dirname "$0")/common.sh"

main=$TF_PATH/dist/engine/nodejs/main.js
[[ -f $main ]] ||
  die "$main is missing: lambda-package is installed without its built code. Reinstall it, or run \`npm run build\` in $TF_PATH."
node=${NODE_BINARY:-node}
exec "$node" "$main"
