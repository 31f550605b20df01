"""Execute one sanitized submission inside the sandbox (``python -m grading.runner``).

Started by :mod:`grading.execute` through :func:`grading.sandbox.sandbox_argv`; reads its inputs
from ``/grader`` (read-only), runs the notebook with **nbgrader's own** ``Execute`` preprocessor
(same timeouts and error handling as ``nbgrader autograde``) in ``/home/learner``, and writes one
JSON document to the result pipe given by ``--result-fd``::

    {"notebook": <executed notebook>, "report": {"guard": [...], "flags": [...], ...}}

Hardening that lives here (the kernel runs as the same uid as this process):

* this process makes itself non-dumpable, so the learner's kernel can neither ptrace it nor open
  its file descriptors through /proc (the result pipe stays out of reach);
* cells never skip execution because of their tags (nbclient skips cells tagged
  ``skip-execution`` by default, and tags are not checksummed): the skip tag is a random token;
* the kernel starts with the in-kernel guard (:mod:`grading.guard`) when it is available, which
  restores what the tests rely on before each test cell and reports tampering; its reports are
  taken out of the notebook here and checked (one per test cell, no forgeries);
* every output is capped in bytes (nbgrader's LimitOutput caps lines only).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

GUARD_MIME = "application/x-offrl-guard+json"
MAX_OUTPUT_BYTES = 1_000_000  # per output (text or base64 image); the lessons' figures < 300 kB
MAX_NOTEBOOK_BYTES = 16 * 2**20  # all outputs together


def _no_dump() -> None:
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def cell_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _output_size(out: dict) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    if out.get("output_type") == "error":
        return len(out.get("evalue", "")) + sum(len(t) for t in out.get("traceback", []))
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in out.get("data", {}).values())


def cap_outputs(nb, max_output: int = MAX_OUTPUT_BYTES, max_total: int = MAX_NOTEBOOK_BYTES) -> list[str]:
    """Cut every output to `max_output` characters (text kept with a marker, rich data replaced
    by a note) and stop keeping outputs once the notebook holds `max_total`. Returns what was cut.
    Error outputs are kept (shortened): they decide scores."""
    from nbformat import NotebookNode

    cut, total = [], 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            size = _output_size(out)
            if size > max_output or (total + size > max_total and out.output_type != "error"):
                cut.append(f"cell {i}: an output of {size} bytes was cut")
                if out.output_type == "stream":
                    out.text = out.text[: max_output // 2] + (
                        f"\n... [output truncated by the grader: {size} bytes]\n"
                    )
                elif out.output_type == "error":
                    out.evalue = out.evalue[:2000]
                    out.traceback = [t[:2000] for t in out.traceback[-20:]]
                else:
                    out = NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=f"[an output of {size} bytes was removed by the grader]\n",
                    )
                size = _output_size(out)
            total += size
            kept.append(out)
        cell.outputs = kept
    return cut


REDACTED = "[hidden test text removed by the grader]"


def hidden_lines(nb) -> list[str]:
    """Non-trivial lines of the hidden-test blocks of the test cells (what must not leak)."""
    lines, inside = [], False
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        for line in cell.source.splitlines():
            text = line.strip()
            if text.startswith("### BEGIN HIDDEN TESTS"):
                inside = True
            elif text.startswith("### END HIDDEN TESTS"):
                inside = False
            elif inside and len(text) >= 12 and not text.startswith("#"):
                lines.append(text)
    return sorted(set(lines), key=len, reverse=True)


def redact_hidden(nb, lines: list[str]) -> list[str]:
    """Remove hidden-test text from the outputs of every cell that is not a test cell (a learner's
    cell can print what it finds in the kernel's history); returns flags."""
    if not lines:
        return []
    flags = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        hit = False
        for out in cell.get("outputs", []):
            fields = []
            if out.get("output_type") == "stream":
                fields.append((out, "text"))
            elif out.get("output_type") == "error":
                fields.append((out, "evalue"))
                out["traceback"] = [_redact(t, lines)[0] for t in out.get("traceback", [])]
            for key, val in out.get("data", {}).items():
                if isinstance(val, str):
                    fields.append((out["data"], key))
            for holder, key in fields:
                holder[key], changed = _redact(holder[key], lines)
                hit = hit or changed
        if hit:
            flags.append(f"cell {i}: its output contained hidden test code (removed)")
    return flags


def _redact(text: str, lines: list[str]) -> tuple[str, bool]:
    changed = False
    for line in lines:
        if line in text:
            text, changed = text.replace(line, REDACTED), True
    return text, changed


def not_executed(nb, completed: set[int], why: str) -> list[int]:
    """Give every test cell that did not run to completion (index not in `completed`) an error
    output; returns their indices."""
    from nbformat.v4 import new_output

    cells = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        if i not in completed and cell.source.strip() and not any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            cell.outputs = list(cell.get("outputs", [])) + [
                new_output(
                    "error",
                    ename="GradingError",
                    evalue=f"not executed: {why}",
                    traceback=[f"GradingError: this test did not run ({why})"],
                )
            ]
            cells.append(i)
    return cells


def take_guard_reports(nb, grade_hashes: set[str], guard_loaded: bool) -> tuple[list, list[str]]:
    """Remove the guard's report outputs from `nb` and check them: every test cell that ran has
    exactly one, carrying its own hash, and no other cell has one. Returns (reports, flags)."""
    reports, flags = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        mine = [o for o in cell.get("outputs", []) if GUARD_MIME in o.get("data", {})]
        cell.outputs = [o for o in cell.get("outputs", []) if GUARD_MIME not in o.get("data", {})]
        h = cell_hash(cell.source)
        is_test = h in grade_hashes
        if not guard_loaded:
            continue
        if not is_test:
            if mine:
                flags.append(f"cell {i}: a guard report appeared outside a test cell (forged)")
            continue
        ran = cell.get("execution_count") is not None or cell.outputs
        if not mine:
            if ran:
                flags.append(f"cell {i}: test cell ran without the guard's report (guard disabled)")
            continue
        if len(mine) > 1:
            flags.append(f"cell {i}: {len(mine)} guard reports for one test cell (forged)")
        for o in mine:
            rep = o["data"][GUARD_MIME]
            if not isinstance(rep, dict) or rep.get("cell") != h:
                flags.append(f"cell {i}: a guard report that does not match the cell (forged)")
                continue
            reports.append({"cell": i, **rep})
            for what in rep.get("tampered", []) or []:
                flags.append(f"cell {i}: {what}")
    return reports, flags


def _default_sigint() -> None:
    """Interrupts must reach the kernel. A process started by a Ray worker inherits SIGINT
    *ignored* (and ignored signals survive exec): Python then installs no KeyboardInterrupt
    handler in the kernel, and nbgrader's interrupt after a cell's timeout does nothing — the
    kernel loops on and every later cell times out. A handler here (reset to the default on the
    kernel's exec) and an unblocked mask give the kernel its normal SIGINT."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def main(argv: list[str] | None = None) -> int:
    _no_dump()
    _default_sigint()
    ap = argparse.ArgumentParser()
    ap.add_argument("--notebook", required=True)
    ap.add_argument("--result-fd", type=int, required=True)
    ap.add_argument("--timeout", type=int, default=240)
    ap.add_argument("--startup-timeout", type=int, default=120)
    ap.add_argument("--no-guard", action="store_true")
    ap.add_argument("--mpl-cache", default="")
    args = ap.parse_args(argv)
    out = os.fdopen(args.result_fd, "wb")
    t0 = time.monotonic()

    # jsonschema (under nbformat) imports rfc3987_syntax when installed (jupyter-events pulls it
    # in), and that module builds a Lark grammar at import: 3 s of every submission's start, for
    # an "iri" format check no notebook schema uses. jsonschema skips it on ImportError.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbgrader.preprocessors import Execute

    if args.mpl_cache and Path(args.mpl_cache).is_dir():  # the font cache: no rebuild on stderr
        dest = Path(os.environ.get("HOME", "/tmp")) / ".cache" / "matplotlib"
        if dest.resolve() != Path(args.mpl_cache).resolve():
            shutil.copytree(args.mpl_cache, dest, dirs_exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(dest)

    nb = nbformat.reads(Path(args.notebook).read_text(encoding="utf-8"), as_version=4)
    grade_hashes = {
        cell_hash(c.source)
        for c in nb.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not c.get("metadata", {}).get("nbgrader", {}).get("solution")
        and c.cell_type == "code"
    }
    guard = not args.no_guard
    try:
        import grading.guard  # noqa: F401
    except ImportError:
        guard = False
    cells_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"grade-cells-{secrets.token_hex(8)}.json"
    extra = ["--HistoryManager.hist_file=:memory:"]
    if guard:
        cells_file.write_text(json.dumps({"grade_cells": sorted(grade_hashes)}))
        os.environ["OFFRL_GUARD_CELLS"] = str(cells_file)
        extra.append('--IPKernelApp.extensions=["grading.guard"]')
    class _Execute(Execute):
        """nbgrader's Execute, remembering which cells ran to completion."""

        completed: set = set()

        def on_cell_executed(self, **kwargs):
            super().on_cell_executed(**kwargs)
            self.completed.add(kwargs["cell_index"])

    ep = _Execute(
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        interrupt_on_timeout=True,
        extra_arguments=extra,
        skip_cells_with_tag=f"never-skip-{secrets.token_hex(16)}",
        kernel_name="python3",
        iopub_timeout=30,  # after an interrupted cell on a busy machine, outputs can be slow
        raise_on_iopub_timeout=False,  # ...and if they never come, the next cell still runs
    )
    report: dict = {"flags": [], "guard": [], "runner_error": None}
    try:
        ep.preprocess(nb, {"metadata": {"path": os.getcwd()}})
    except Exception as e:  # kernel died, could not start...: the executed part is still graded
        first = (str(e).strip().splitlines() or [""])[0]
        report["runner_error"] = f"{type(e).__name__}: {first}"[:300]
    finally:
        os.environ.pop("OFFRL_GUARD_CELLS", None)
    # A test cell that never ran has no error output, and nbgrader would count it as passed: a
    # learner who kills their own kernel must not get the rest of the notebook for free.
    unrun = not_executed(
        nb, ep.completed, report["runner_error"] or "execution stopped before this cell"
    )
    if unrun:
        report["not_executed"] = unrun
    reports, flags = take_guard_reports(nb, grade_hashes, guard)
    report["guard"] = reports
    report["guard_loaded"] = guard
    report["flags"] += flags
    report["flags"] += redact_hidden(nb, hidden_lines(nb))
    report["capped"] = cap_outputs(nb)
    report["flags"] += report["capped"]  # 200 kB in one output is not an honest exercise answer
    report["seconds"] = time.monotonic() - t0
    out.write(json.dumps({"notebook": nb, "report": report}).encode("utf-8"))
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
