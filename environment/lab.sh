#!/usr/bin/env bash
# `make lab`: registers the project's kernel and starts JupyterLab (when installed) or the
# classic Notebook (Debian's jupyter-notebook, installed by setup.sh) on 127.0.0.1 with a token.
#
#   environment/lab.sh [--server lab|notebook] [--port N] [--token T] [--no-config]
#
# Env: LAB_PORT (default 8888), LAB_TOKEN (default random). --no-config writes neither the
# user-level kernelspec nor the git filter config (tests: they must not touch the user's setup).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
server="" port="${LAB_PORT:-8888}" token="${LAB_TOKEN:-}" config=1
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --no-config) config=0; shift ;;
    *) echo "lab.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$token" ] || token="$(/usr/bin/python3 -c 'import secrets; print(secrets.token_hex(24))')"
if [ -z "$server" ]; then
  if command -v jupyter-lab >/dev/null; then server=lab
  elif /usr/bin/python3 -c 'import notebook' 2>/dev/null; then server=notebook
  else
    echo "lab: no notebook server found: 'make setup' installs Debian's jupyter-notebook (needs apt)." >&2
    exit 1
  fi
fi

# The server finds the kernel through JUPYTER_PATH; the user-level kernelspec points at this
# checkout's launcher so JupyterLab and VS Code started elsewhere can use the kernel too.
export JUPYTER_PATH="$root/environment/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
if [ "$config" = 1 ]; then
  kdir="$(/usr/bin/python3 -c 'from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())')/kernels/steel-tslab"
  mkdir -p "$kdir"
  /usr/bin/python3 - "$root" "$kdir/kernel.json" <<'EOF'
import json, os, sys
root, dest = sys.argv[1], sys.argv[2]
spec = json.load(open(os.path.join(root, "environment/jupyter/kernels/steel-tslab/kernel.json")))
spec["argv"] = ["bash", os.path.join(root, "environment/jupyter/kernels/steel-tslab/launch.sh"), "{connection_file}"]
tmp = dest + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, dest)
EOF
  echo "lab: kernel 'TypeScript (Steel Defect Lab)' registered in $kdir"
fi

# Keep notebook outputs out of git even when `make setup` was skipped.
if [ "$config" = 1 ] && git rev-parse --git-dir >/dev/null 2>&1; then
  git config filter.steel-nbstrip.clean "/usr/bin/python3 environment/nbstrip.py"
  git config filter.steel-nbstrip.smudge cat
fi

flags=(--no-browser --ip=127.0.0.1 --port="$port")
[ "$(id -u)" = 0 ] && flags+=(--allow-root)
url="http://127.0.0.1:$port/?token=$token"
if [ "$server" = lab ]; then
  cmd=(jupyter-lab "${flags[@]}" --ServerApp.port_retries=0 --ServerApp.root_dir="$root" --ServerApp.token="$token" --IdentityProvider.token="$token")
  url="http://127.0.0.1:$port/lab?token=$token"
else
  cmd=(/usr/bin/python3 -m notebook "${flags[@]}" --NotebookApp.port_retries=0 --notebook-dir="$root" --NotebookApp.token="$token")
  url="http://127.0.0.1:$port/tree?token=$token"
fi
cat <<EOF
lab: starting the $([ "$server" = lab ] && echo JupyterLab || echo classic Notebook) server for $root
lab: open  $url
lab: kernel: "TypeScript (Steel Defect Lab)" (Kernel > Change kernel if a notebook asks).
EOF
if command -v code >/dev/null; then
  echo "lab: VS Code: open a notebook, Select Kernel > Existing Jupyter Server, paste the URL above."
fi
echo "lab: Ctrl+C stops the server. Notebook outputs stay local: git stores notebooks without them."
exec "${cmd[@]}"
