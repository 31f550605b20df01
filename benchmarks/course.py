"""Section 3: the whole course, every solution notebook run top to bottom as a learner runs it.

Each ``solutions/*/*.ipynb`` found at run time (lessons are added as they are written) is run
by nbclient in its own fresh ``python3`` kernel, in a temporary copy of its assignment folder
(so nothing is written into the repository). Measured: wall time per notebook (kernel start to
kernel shutdown) and in total, the slowest cells, and the peak memory of the whole process tree
(this process, the kernels and everything they start, Ray's processes included), sampled with
psutil in a thread.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, TreeMemorySampler, Unavailable, log, reap_descendants

#: Per-cell timeout, as nbgrader_config.py's c.Execute.timeout.
CELL_TIMEOUT = 240
_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc", "ray_results")


def find_notebooks(repo: Path = REPO) -> list[Path]:
    """Every solutions/<A>/*.ipynb, in assignment order."""
    return sorted(
        p for p in (repo / "solutions").glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def _cell_seconds(cell) -> float | None:
    ex = cell.get("metadata", {}).get("execution", {})
    start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if not (start and end):
        return None
    parse = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def run_notebook(path: Path, workdir: Path) -> dict:
    """Execute ``path`` with nbclient in ``workdir``; wall time, errors, stderr, slowest cells."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        allow_errors=True,  # run to the end and report every error
        resources={"metadata": {"path": str(workdir)}},
    )
    t0 = time.perf_counter()
    error = None
    try:
        # The kernel process's own stderr (ipykernel's start-up notices) is not part of the
        # notebook (cell output is captured into the notebook): keep it off the benchmark's.
        client.execute(stderr=subprocess.DEVNULL)
    except Exception as e:  # noqa: BLE001 - kernel death, timeout: recorded, the run goes on
        error = f"{type(e).__name__}: {e}"[:500]
    wall = time.perf_counter() - t0
    errors, stderr, cells = [], 0, []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}"[:300])
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                stderr += 1
        sec = _cell_seconds(cell)
        if sec is not None:
            cells.append((sec, i, _first_line(cell.source)))
    cells.sort(reverse=True)
    executed = sum(1 for c in nb.cells if c.cell_type == "code")
    return {
        "wall_s": round(wall, 3),
        "cells_run_s": round(sum(c[0] for c in cells), 3),
        "kernel_and_overhead_s": round(wall - sum(c[0] for c in cells), 3),
        "code_cells": executed,
        "errors": errors,
        "execution_error": error,
        "stderr_outputs": stderr,
        "slowest_cells": [{"cell": i, "s": round(s, 3), "source": src} for s, i, src in cells[:3]],
    }


def run(opts) -> dict:
    notebooks = find_notebooks()
    if not notebooks:
        raise Unavailable("no solution notebooks in solutions/*/ yet")
    log(f"course: {len(notebooks)} notebooks: {', '.join(p.stem for p in notebooks)}")
    per = {}
    with TreeMemorySampler(interval=0.1) as mem, tempfile.TemporaryDirectory(
        prefix="offrl-course-"
    ) as tmp:
        baseline, _ = mem.tree_rss()
        for path in notebooks:
            name = f"{path.parent.name}/{path.name}"
            work = Path(tmp) / path.parent.name
            shutil.copytree(path.parent, work, ignore=_IGNORE)
            mem.mark(name)
            log(f"course: running {name}")
            res = run_notebook(work / path.name, work)
            mem.mark(None)
            res["peak_rss_gib"] = round(mem.per_label.get(name, 0) / 2**30, 3)
            left = reap_descendants()
            if left:
                res["processes_left_running"] = left
            log(
                f"course: {name}: {res['wall_s']:.1f} s, peak {res['peak_rss_gib']:.2f} GiB, "
                f"{len(res['errors'])} errors" + (f", {len(left)} processes left" if left else "")
            )
            per[name] = res
        memory = mem.report()
    memory["benchmark_process_rss_gib_before"] = round(baseline / 2**30, 3)
    total = sum(r["wall_s"] for r in per.values())
    return {
        "how": "nbclient, one fresh python3 kernel per notebook, notebooks one after another, "
        "each in a temporary copy of its assignment folder; per-cell timeout "
        f"{CELL_TIMEOUT} s; allow_errors so every error is counted",
        "notebooks": per,
        "num_notebooks": len(per),
        "total_s": round(total, 2),
        "errors_total": sum(len(r["errors"]) + bool(r["execution_error"]) for r in per.values()),
        "memory": memory,
        "peak_rss_gib": memory["peak_rss_gib"],
    }


def headlines(res: dict) -> dict:
    return {"course_total_s": res["total_s"], "course_peak_rss_gib": res["peak_rss_gib"]}


def table(res: dict) -> list[tuple[str, str, str]]:
    rows = []
    for name, r in res["notebooks"].items():
        slow = r["slowest_cells"][0] if r["slowest_cells"] else None
        note = f"slowest cell {slow['s']:.1f} s: {slow['source'][:40]}" if slow else ""
        bad = len(r["errors"]) + bool(r["execution_error"])
        rows.append((
            name.split("/")[0],
            f"{r['wall_s']:5.1f} s (cells {r['cells_run_s']:.1f} s), "
            f"peak {r['peak_rss_gib']:.2f} GiB"
            + (f", {bad} ERRORS" if bad else "") + (f"; {note}" if note else ""),
            "",
        ))  # fmt: skip
    rows.append((
        f"total, {res['num_notebooks']} notebooks",
        f"{res['total_s']:.1f} s"
        + (f", {res['errors_total']} errors" if res["errors_total"] else ""),
        "<= 120 s",
    ))  # fmt: skip
    m = res["memory"]
    rows.append((
        "peak RSS of the process tree",
        f"{m['peak_rss_gib']:.2f} GiB (during {m['peak_during']}, "
        f"{m['processes_at_peak']} processes)",
        "<= 3 GiB",
    ))  # fmt: skip
    return rows
