#!/usr/bin/env bash
# Installs what the workspace needs on a fresh Debian/Ubuntu machine, and nothing twice:
#   environment/setup.sh [base|test|bench]...
# base: npm dependencies (npm ci) + Jupyter (apt) + the optional native conv addon (oneDNN);
# test: + Chromium; bench: + PyTorch peer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sets=("${@:-base}")

need_apt=()
for set in "${sets[@]}"; do
  case "$set" in
    base) list=environment/apt-packages.txt ;;
    test) list=environment/apt-packages-test.txt ;;
    bench) list=environment/apt-packages-bench.txt ;;
    *) echo "setup.sh: unknown set '$set' (base|test|bench)" >&2; exit 2 ;;
  esac
  while read -r pkg; do
    [ -z "$pkg" ] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
  done < <(sed 's/#.*//' "$list")
done

if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "setup: need root to run: apt-get install -y ${need_apt[*]}" >&2; exit 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# npm dependencies: (re)install when node_modules is missing or older than the lockfile.
stamp=node_modules/.steel-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: npm ci (native tfjs-node backends are optional: their failure to download libtensorflow is expected offline)"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi

# Notebooks are committed without outputs: git runs environment/nbstrip.py as a clean filter on
# notebooks/*.ipynb (.gitattributes), so outputs stay in the working copy only. Local repo config.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" config filter.steel-nbstrip.clean "/usr/bin/python3 environment/nbstrip.py"
  git -C "$root" config filter.steel-nbstrip.smudge cat
fi

# The native convolution addon (oneDNN via apt libdnnl-dev, compiled with g++): optional —
# build-native.sh explains and exits 0 when it cannot build, and training stays on wasm.
for set in "${sets[@]}"; do
  if [ "$set" = base ]; then bash environment/build-native.sh; break; fi
done
