#!/usr/bin/env python3
"""git clean filter for notebooks/*.ipynb: git stores notebooks without outputs, so a researcher
keeps plots and logs in the working copy while commits stay small and reviewable.

    environment/nbstrip.py < notebook.ipynb > clean.ipynb      (set up by environment/setup.sh)

Clears outputs and execution counts, the notebook's trust signature and per-cell UI state
(collapsed/scrolled/execution timings), and the kernel's volatile language_info extras. Writes one
canonical layout (indent 1, the key order of the committed notebooks, other keys sorted) whatever
saved the file, so a save in Notebook, JupyterLab or VS Code leaves git with no diff.
Not nbstripout (PyPI only; this project installs from Debian and npm) nor nbconvert
--clear-output: it writes nbformat's fully sorted key order, which differs from the committed
files (every notebook would show as modified), and keeps the volatile metadata. Input that is not a notebook passes through unchanged (git must never lose data).
"""
import json
import sys

CELL_UI_KEYS = ("collapsed", "scrolled", "execution", "ExecuteTime")
NOTEBOOK_VOLATILE_KEYS = ("signature", "widgets")
LANGUAGE_INFO_KEYS = ("name", "file_extension", "mimetype")

ORDER = {
    "notebook": ("cells", "metadata", "nbformat", "nbformat_minor"),
    "cell": ("cell_type", "id", "metadata", "source", "outputs", "execution_count"),
    "kernelspec": ("name", "display_name", "language"),
    "language_info": LANGUAGE_INFO_KEYS,
}


def ordered(d, kind=None):
    """d with the preferred keys of its kind first, in that order, then the rest sorted."""
    first = [k for k in ORDER.get(kind, ()) if k in d]
    return {k: d[k] for k in first + sorted(k for k in d if k not in first)}


def canonical(value):
    """Sorted keys below the levels that ORDER names (nbformat's convention)."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def strip(nb):
    cells = []
    for cell in nb.get("cells", []):
        cell = dict(cell)
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in CELL_UI_KEYS}
        cell["metadata"] = canonical(meta)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["source"] = canonical(cell.get("source", []))
        cells.append(ordered({k: (v if k in ("metadata", "source") else canonical(v)) for k, v in cell.items()}, "cell"))
    meta = {k: v for k, v in nb.get("metadata", {}).items() if k not in NOTEBOOK_VOLATILE_KEYS}
    if isinstance(meta.get("language_info"), dict):
        meta["language_info"] = ordered({k: meta["language_info"][k] for k in LANGUAGE_INFO_KEYS if k in meta["language_info"]}, "language_info")
    if isinstance(meta.get("kernelspec"), dict):
        meta["kernelspec"] = ordered(canonical(meta["kernelspec"]), "kernelspec")
    meta = {k: (v if k in ("language_info", "kernelspec") else canonical(v)) for k, v in sorted(meta.items())}
    out = dict(nb)
    out["cells"] = cells
    out["metadata"] = meta
    return ordered({k: (v if k in ("cells", "metadata") else canonical(v)) for k, v in out.items()}, "notebook")


def main():
    raw = sys.stdin.buffer.read()
    try:
        nb = json.loads(raw.decode("utf-8"))
        if not isinstance(nb, dict) or "cells" not in nb:
            raise ValueError("not a notebook")
    except ValueError:
        sys.stdout.buffer.write(raw)
        return
    sys.stdout.write(json.dumps(strip(nb), indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
