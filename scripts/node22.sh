#!/usr/bin/env bash
# Sourced by .ci/run (and usable by a developer: `source scripts/node22.sh`): when the machine's Node is
# older than the project's floor (package.json "engines", 22.12), installs Node 22 from the npm registry
# (the node-<platform>-<arch> package carries the official binary) into a cache outside the repository
# and puts it first on PATH. The machine's npm then runs on it. Nothing else is downloaded.
hearth_node_floor="22.12.0"
# A machine (or CI runner) without HOME uses the temporary folder: .ci/run runs with `set -u`.
hearth_node_home="${HEARTH_NODE_HOME:-${HOME:-${TMPDIR:-/tmp}}/.cache/hearth-node}"

hearth_node_ok() {
  node -e "const [a,b]=process.versions.node.split('.').map(Number),[x,y]='$hearth_node_floor'.split('.').map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)" 2>/dev/null
}

if ! hearth_node_ok; then
  hearth_node_package="node-$(node -p process.platform)-$(node -p process.arch)"
  hearth_node_bin="$hearth_node_home/node_modules/$hearth_node_package/bin"
  if [ ! -x "$hearth_node_bin/node" ]; then
    echo "node22: Node $(node -v) is older than $hearth_node_floor; installing $hearth_node_package@22 from the npm registry into $hearth_node_home"
    mkdir -p "$hearth_node_home"
    npm install --prefix "$hearth_node_home" --no-save --no-audit --no-fund --loglevel=error "$hearth_node_package@22" >/dev/null
  fi
  export PATH="$hearth_node_bin:$PATH"
  if hearth_node_ok; then echo "node22: using Node $(node -v) from $hearth_node_bin"; else echo "node22: could not get Node $hearth_node_floor or newer"; fi
fi
