#!/usr/bin/env python3
"""Execute one notebook headlessly with nbclient (Debian's jupyter stack).

    execute_notebook.py IN.ipynb OUT.ipynb --kernel steel-tslab --timeout 3600

Stops at the first failing cell. The partly executed notebook is still written to OUT (so the
error can be inspected in the report), and the failing cell's source with everything it printed
(tslab reports errors on stderr, with an empty ename/evalue) goes to stderr. Exit 1 on failure.
"""
import argparse
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback") or [f"{out.get('ename', '')}: {out.get('evalue', '')}"]))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts if p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--kernel", default="steel-tslab")
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--cwd", default=None)
    a = ap.parse_args()
    nb = nbformat.read(a.src, as_version=4)
    client = NotebookClient(nb, timeout=a.timeout, kernel_name=a.kernel,
                            resources={"metadata": {"path": a.cwd}} if a.cwd else {})
    failed = None
    # Cell by cell, so we know which one failed even though tslab's error reply is empty.
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError:
                failed = index
                break
    nbformat.write(nb, a.dst)
    if failed is not None:
        cell = nb.cells[failed]
        sys.stderr.write(f"CELL FAILED (cell {failed}):\n------------------\n{cell.source}\n------------------\n{cell_text(cell)}")
        sys.exit(1)

if __name__ == "__main__":
    main()
