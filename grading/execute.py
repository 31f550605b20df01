"""Execute a submission in the sandbox, and the nbgrader preprocessor that does it during autograde.

``SandboxedExecute`` takes the place of nbgrader's ``Execute`` in ``Autograde``'s preprocessors
(see :func:`grading.config.configure`), so plain ``nbgrader autograde``, the Formgrader's
"autograde" button and ``make grade`` all run learner code in the sandbox. Everything else of
nbgrader (sanitising, restoring locked cells, scoring, the gradebook) is unchanged.

``make grade`` executes submissions in parallel on Ray *before* nbgrader's pass and stores each
result under the hash of the sanitized notebook (:func:`notebook_key`) in ``.grading/cache/``;
the preprocessor then finds it there instead of executing again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, Unicode

from grading import sandbox

RUNNER_VERSION = "1"  # part of every cache key: bump when the runner's behaviour changes
UNSAFE_ENV = "GRADING_UNSAFE"  # "1": run without the sandbox (loudly)


def notebook_key(nb, timeout: int, startup_timeout: int) -> str:
    """Hash of what decides an execution: the cells as sanitized (type, source, nbgrader metadata),
    the timeouts and the runner version. Outputs and other metadata do not count."""
    cells = [
        [c.cell_type, c.source, c.get("metadata", {}).get("nbgrader", {})] for c in nb.cells
    ]
    blob = json.dumps([RUNNER_VERSION, timeout, startup_timeout, cells], sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _mpl_cache() -> str:
    try:
        import matplotlib

        d = matplotlib.get_cachedir()
        return d if d and Path(d).is_dir() else ""
    except Exception:
        return ""


def execute_submission(
    nb,
    timeout: int = 240,
    startup_timeout: int = 120,
    limits: sandbox.Limits = sandbox.Limits(),
    unsafe: bool = False,
) -> tuple[object, dict]:
    """Execute a copy of the sanitized notebook `nb` in the sandbox (or, with `unsafe`, in a plain
    subprocess with the same limits). Returns (executed notebook, report). The report holds the
    runner's flags, the guard's reports, resource use, and `killed`/`error` if the run failed, in
    which case the notebook is returned unexecuted (every test cell then scores 0)."""
    nb = copy.deepcopy(nb)
    with tempfile.TemporaryDirectory(prefix="grading-") as tmp:
        tmp = Path(tmp)
        (tmp / "in.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
        os.chmod(tmp, 0o755)
        os.chmod(tmp / "in.ipynb", 0o644)
        mpl = _mpl_cache()
        runner_args = [
            "--result-fd", "{result_fd}", "--timeout", str(timeout),
            "--startup-timeout", str(startup_timeout),
        ]  # fmt: skip
        if unsafe:
            work = tmp / "work"
            work.mkdir()
            cmd = [sys.executable, "-m", "grading.runner", "--notebook", str(tmp / "in.ipynb"),
                   "--mpl-cache", mpl, *runner_args]  # fmt: skip
            # as inside the sandbox: autograde mode, and the working folder as home
            env = {**os.environ, "NBGRADER_EXECUTION": "autograde", "HOME": str(work)}
            result = sandbox.run_limited(cmd, limits, cwd=str(work), env=env)
        else:
            sandbox.check_available()
            ro = {f"{sandbox.GRADER_DIR}/in.ipynb": str(tmp / "in.ipynb")}
            if mpl:
                ro[f"{sandbox.GRADER_DIR}/mpl"] = mpl
            cmd = sandbox.sandbox_argv(
                [sys.executable, "-m", "grading.runner", "--notebook",
                 f"{sandbox.GRADER_DIR}/in.ipynb",
                 "--mpl-cache", f"{sandbox.GRADER_DIR}/mpl" if mpl else "", *runner_args],
                ro_files=ro,
                env=sandbox.sandbox_env(),
                limits=limits,
            )  # fmt: skip
            result = sandbox.run_limited(cmd, limits)
    usage = {
        "wall_s": round(result.wall_s, 3),
        "cpu_s": round(result.cpu_s, 3),
        "peak_rss": result.peak_rss,
        "peak_tasks": result.peak_tasks,
        "sandboxed": not unsafe,
    }
    try:
        doc = json.loads(result.result.decode("utf-8")) if result.result else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if doc is None or result.killed:
        why = result.killed or f"the runner ended without a result (exit {result.returncode})"
        report = {
            "flags": [f"execution stopped: {why}"],
            "guard": [],
            "killed": result.killed,
            "error": why,
            "stderr_tail": result.stderr[-4000:],
            **usage,
        }
        return _failed(nb, why), report
    executed = nbformat.from_dict(doc["notebook"])
    report = dict(doc.get("report", {}))
    report.update(usage)
    report["stderr_tail"] = result.stderr[-4000:]
    if report.get("runner_error"):
        report["flags"] = list(report.get("flags", [])) + [f"runner: {report['runner_error']}"]
    return executed, report


def _failed(nb, why: str):
    """`nb` with an error output on every test cell: the submission could not be executed."""
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code":
            cell.outputs = []
            if meta.get("grade") and not meta.get("solution"):
                cell.outputs = [
                    nbformat.v4.new_output(
                        "error",
                        ename="GradingError",
                        evalue=f"not executed: {why}",
                        traceback=[f"GradingError: not executed: {why}"],
                    )
                ]
    return nb


class SandboxedExecute(Execute):
    """nbgrader's Execute, but the notebook runs in the sandbox (see the module docstring)."""

    cache_dir = Unicode("", help="where make grade leaves pre-executed results").tag(config=True)
    unsafe = Bool(False, help="run without the sandbox (only with an explicit opt-in)").tag(
        config=True
    )
    wall_s = Float(sandbox.Limits.wall_s).tag(config=True)
    cpu_s = Float(sandbox.Limits.cpu_s).tag(config=True)
    memory_bytes = Integer(sandbox.Limits.memory_bytes).tag(config=True)

    def limits(self) -> sandbox.Limits:
        return sandbox.Limits(wall_s=self.wall_s, cpu_s=self.cpu_s, memory_bytes=self.memory_bytes)

    def preprocess(self, nb, resources=None, km=None):
        key = notebook_key(nb, self.timeout, self.startup_timeout)
        cached = Path(self.cache_dir) / f"{key}.json" if self.cache_dir else None
        if cached is not None and cached.is_file():
            doc = json.loads(cached.read_text(encoding="utf-8"))
            executed, report = nbformat.from_dict(doc["notebook"]), doc["report"]
            report["cached"] = True
        else:
            unsafe = self.unsafe or os.environ.get(UNSAFE_ENV) == "1"
            if unsafe:
                self.log.warning("GRADING WITHOUT A SANDBOX: learner code runs with your rights")
            executed, report = execute_submission(
                nb, self.timeout, self.startup_timeout, self.limits(), unsafe=unsafe
            )
            if cached is not None:
                store(cached, executed, report)
        for old, new in zip(nb.cells, executed.cells, strict=True):
            if old.source != new.source:
                raise RuntimeError("the executed notebook does not match the submission")
            if old.cell_type == "code":
                old.outputs = new.get("outputs", [])
                old.execution_count = new.get("execution_count")
        if resources is not None:
            resources.setdefault("grading", {})["report"] = report
        return nb, resources


def store(path: Path, executed, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"notebook": executed, "report": report}), encoding="utf-8")
    tmp.replace(path)
