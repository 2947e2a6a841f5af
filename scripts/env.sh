# Sourced by the project's scripts: puts Node >= 22 and the project's tools
# first on PATH. Where the machine's Node is older, Node 24 comes from the npm
# package `node` (it ships the real binary) into .tools/node; the system Node
# is left alone.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if (($(node_major) < 22)); then
  LOCAL_NODE="$ROOT/.tools/node"
  if [[ ! -x "$LOCAL_NODE/node_modules/.bin/node" ]]; then
    echo "setup: machine Node is $(node --version 2>/dev/null || echo missing); installing Node 24 into .tools/node" >&2
    mkdir -p "$LOCAL_NODE"
    [[ -f "$LOCAL_NODE/package.json" ]] || echo '{ "private": true }' >"$LOCAL_NODE/package.json"
    npm install --prefix "$LOCAL_NODE" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  export PATH="$LOCAL_NODE/node_modules/.bin:$PATH"
fi

export PATH="$ROOT/.tools/bin:$ROOT/node_modules/.bin:$PATH"
