#!/usr/bin/env bash
# Builds the optional native convolution addon (oneDNN) into build/native/steel_dnnl.node.
# Optional by design: without it training runs on the wasm kernels alone (slower), so every
# failure here prints why and exits 0 unless STEEL_NATIVE_REQUIRED=1.
#   bash environment/build-native.sh            # build if missing or older than the source
#   bash environment/build-native.sh --force    # rebuild
set -uo pipefail
cd "$(dirname "$0")/.."
SRCS=(src/native/*.cc)
OUT=build/native/steel_dnnl.node

skip() {
  echo "native: $1 — training will use the wasm kernels only (see docs/native-backend.md)" >&2
  [ "${STEEL_NATIVE_REQUIRED:-0}" = 1 ] && exit 1
  exit 0
}

up_to_date() {
  [ -f "$OUT" ] || return 1
  for f in src/native/* environment/build-native.sh; do [ "$OUT" -nt "$f" ] || return 1; done
}
if [ "${1:-}" != "--force" ] && up_to_date; then
  echo "native: $OUT is up to date"
  exit 0
fi

# oneDNN headers + library from Debian (the same oneDNN PyTorch uses here) and a C++ compiler.
missing=()
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || missing+=(libdnnl-dev)
command -v g++ >/dev/null || missing+=(g++)
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "native: installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends "${missing[@]}" || { apt-get update -qq && apt-get install -y -q --no-install-recommends "${missing[@]}"; }; } \
      >/tmp/steel-apt-native.log 2>&1 || skip "apt-get install ${missing[*]} failed (log: /tmp/steel-apt-native.log)"
  else
    skip "missing ${missing[*]} (as root: apt-get install ${missing[*]})"
  fi
fi

# Node-API headers: those of the running node (no download).
NODE_BIN=$(command -v node) || skip "node not found"
NODE_INC=""
for d in "$(dirname "$(dirname "$(readlink -f "$NODE_BIN")")")/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$d/node_api.h" ]; then NODE_INC=$d; break; fi
done
[ -n "$NODE_INC" ] || skip "node_api.h not found next to $(readlink -f "$NODE_BIN")"

mkdir -p build/native
echo "native: compiling ${SRCS[*]} (oneDNN, Node-API headers from $NODE_INC)"
if ! g++ -O3 -ffp-contract=off -std=c++17 -shared -fPIC -fopenmp -fvisibility=hidden -DNODE_GYP_MODULE_NAME=steel_dnnl \
  -I"$NODE_INC" "${SRCS[@]}" -o "$OUT.tmp" -ldnnl 2>build/native/compile.log; then
  cat build/native/compile.log >&2
  skip "compile failed (build/native/compile.log)"
fi
mv -f "$OUT.tmp" "$OUT"
node -e "const m=require('./$OUT'); console.log('native: built $OUT —', JSON.stringify(m.info()))" || skip "the built addon does not load"
