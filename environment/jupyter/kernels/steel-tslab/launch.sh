#!/usr/bin/env bash
# Starts the project's kernel (kernel.js: tslab with serialised sends, one shell request at a
# time and a cooperative Interrupt) with the repository root as working directory, so notebooks
# can `import ... from "./src/lib"` (tslab compiles with rootDir = cwd).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$root"
if [ ! -f "$root/node_modules/tslab/package.json" ]; then
  echo "steel-tslab: $root/node_modules/tslab not found — run 'npm ci' in $root first." >&2
  exit 1
fi
exec node "$here/kernel.js" "$1"
