#!/usr/bin/env bash
# Starts tslab with the repository root as working directory, so notebooks can
# `import ... from "./src/lib"` (tslab compiles with rootDir = cwd).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$root"
main="$root/node_modules/tslab/bin/tslab"
if [ ! -f "$main" ]; then
  echo "steel-tslab: $main not found — run 'npm ci' in $root first." >&2
  exit 1
fi
exec node "$main" kernel --config-path "$1"
