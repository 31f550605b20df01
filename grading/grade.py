"""Grade a class: every submission in the sandbox, in parallel on Ray, scores in nbgrader's gradebook.

    python -m grading grade [A ...] [--workers N] [--force] [--unsafe]     (make grade)

Steps, per assignment A (course root = the folder of nbgrader_config.py, the current directory):

1. A is registered in the gradebook (``nbgrader generate_assignment A`` is run if it is not).
2. Each ``submitted/<student>/A/A.ipynb`` is sanitized exactly as ``nbgrader autograde`` does it
   (nbgrader's own sanitize preprocessors: locked and test cells restored from the gradebook,
   deleted test cells re-added, kernelspec overwritten). Its hash decides whether it changed
   since the last run: unchanged submissions are not graded again (``--force`` grades all).
3. The changed ones run in parallel as Ray tasks (one CPU each; ``--workers`` at a time), each in
   its own sandbox (:mod:`grading.sandbox`); results go to ``.grading/cache/``.
4. nbgrader's ``autograde`` then scores them one by one in this process; its Execute step is
   :class:`grading.execute.SandboxedExecute`, which finds each result in the cache.
5. Flags for manual review: the static scan (:mod:`grading.scan`), the in-kernel guard's reports,
   the sandbox's limits, anything the runner saw. ``grades.csv`` gets one row per student and
   assignment: total, max, one column per graded cell, and ``flags``.

Ray runs locally with ``--workers`` CPUs, or joins the cluster in ``RAY_ADDRESS``; every node
needs the course's environment at the same path (the virtualenv, ``offrl/``, ``data/``) and
bubblewrap.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

STATE_DIR = ".grading"
GRADES_CSV = "grades.csv"


@dataclass
class Job:
    student: str
    assignment: str
    path: Path
    sanitized: object = None
    key: str = ""
    sha: str = ""
    report: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    error: str = ""


def _course_config(root: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def known_assignments(root: Path) -> list[str]:
    from nbgrader.api import Gradebook

    if not (root / "gradebook.db").exists():
        return []
    with Gradebook(db_url(root)) as gb:
        return sorted(a.name for a in gb.assignments)


def ensure_assignment(root: Path, assignment: str) -> None:
    if assignment in known_assignments(root):
        return
    if not (root / "solutions" / assignment / f"{assignment}.ipynb").is_file():
        raise SystemExit(f"grade: no assignment {assignment!r} in solutions/ or the gradebook")
    print(f"{assignment}: not in gradebook.db yet: nbgrader generate_assignment {assignment}")
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"nbgrader generate_assignment {assignment} failed:\n{proc.stderr}")


def find_submissions(root: Path, assignments: list[str]) -> list[Job]:
    jobs = []
    sub = root / "submitted"
    if not sub.is_dir():
        return jobs
    for student_dir in sorted(p for p in sub.iterdir() if p.is_dir()):
        for a in assignments:
            nb = student_dir / a / f"{a}.ipynb"
            if nb.is_file():
                jobs.append(Job(student_dir.name, a, nb))
    return jobs


def sanitize(job: Job, root: Path, config) -> None:
    """nbgrader's sanitize step (the preprocessors `Autograde` runs before Execute)."""
    from nbgrader.preprocessors import (
        CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec,
    )  # fmt: skip

    raw = job.path.read_bytes()
    job.sha = hashlib.sha256(raw).hexdigest()
    nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    resources = {
        "nbgrader": {
            "student": job.student, "assignment": job.assignment,
            "notebook": job.assignment, "db_url": db_url(root),
        },
        "metadata": {"path": str(job.path.parent)},
    }  # fmt: skip
    # Autograde.sanitize_preprocessors of nbgrader 0.9.6 (a cache miss would only cost time: the
    # notebook then runs, sandboxed, inside nbgrader's own pass; tests check there is none)
    for cls in (ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, CheckCellMetadata):
        nb, resources = cls(config=config).preprocess(nb, resources)
    job.sanitized = nb


def _limits(config):
    from grading.execute import SandboxedExecute

    return SandboxedExecute(config=config).limits()


def _timeouts(config) -> tuple[int, int]:
    from grading.execute import SandboxedExecute

    ep = SandboxedExecute(config=config)
    return int(ep.timeout), int(ep.startup_timeout)


def _remote_execute(nb_json: str, timeout: int, startup: int, limits, unsafe: bool):
    from grading.execute import execute_submission

    if unsafe:
        os.environ["GRADING_UNSAFE"] = "1"
    nb = nbformat.reads(nb_json, as_version=4)
    executed, report = execute_submission(nb, timeout, startup, limits, unsafe=unsafe)
    import ray

    if ray.is_initialized():  # (not when Ray could not start: see run_on_ray)
        report["node"] = ray.get_runtime_context().get_node_id()
    return nbformat.writes(executed), report


def _start_ray(workers: int) -> tuple[bool, str]:
    """(started here, why not) — Ray locally with `workers` CPUs or the cluster in RAY_ADDRESS."""
    import ray

    from offrl.ray_setup import init_ray  # quiet start-up, RAY_ADDRESS, one retry when busy

    started_here = not ray.is_initialized() and not os.environ.get("RAY_ADDRESS")
    for attempt in range(2):  # Ray gives its raylet a hard-coded 30 s; a busy machine can miss it
        try:
            init_ray(num_cpus=workers)
            return started_here, ""
        except Exception as e:
            ray.shutdown()
            why = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            if "timed out during startup" not in str(e):
                return False, why
            print("  Ray start-up timed out (busy machine); trying again", flush=True)
    return False, why


def run_on_ray(jobs: list[Job], config, workers: int, unsafe: bool, cache: Path) -> None:
    """Execute the jobs' sanitized notebooks in parallel as Ray tasks (one CPU each, `workers` at a
    time); store results in `cache`. If a LOCAL Ray cannot start (a machine too busy for its
    hard-coded 30 s start-up), the same tasks run on `workers` threads of this process instead —
    each one only waits for its sandbox — so one command still grades the class. A cluster that
    cannot be reached is an error."""
    from grading.execute import notebook_key, store

    if not jobs:
        return
    started_here, why = _start_ray(workers)
    ray = None
    if not why:
        import ray
    elif os.environ.get("RAY_ADDRESS"):
        raise SystemExit(f"grade: cannot reach the Ray cluster {os.environ['RAY_ADDRESS']}: {why}")
    else:
        print(f"  Ray could not start ({why}); running {workers} sandboxes from this process")
    timeout, startup = _timeouts(config)
    limits = _limits(config)
    for job in jobs:
        job.key = notebook_key(job.sanitized, timeout, startup)
    args = lambda job: (nbformat.writes(job.sanitized), timeout, startup, limits, unsafe)  # noqa: E731
    t0 = time.monotonic()
    done = 0

    def finished(job: Job, get) -> None:
        nonlocal done
        try:
            nb_json, report = get()
            store(cache / f"{job.key}.json", nbformat.reads(nb_json, as_version=4), report)
            job.report = report
            note = report.get("error") or ""
        except Exception as e:  # the task itself failed (node lost...): graded later, serially
            job.error = f"{type(e).__name__}: {e}"[:500]
            note = f"task failed ({job.error}); it will run serially"
        done += 1
        secs = job.report.get("wall_s", 0.0)
        print(
            f"  [{done}/{len(jobs)}] {job.assignment} {job.student}: executed in {secs:.1f} s"
            f"{' — ' + note if note else ''}  ({time.monotonic() - t0:.0f} s elapsed)",
            flush=True,
        )

    if ray is None:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_remote_execute, *args(job)): job for job in jobs}
            for fut in as_completed(futures):
                finished(futures[fut], fut.result)
        return
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(_remote_execute)
        pending = list(jobs)
        running: dict = {}
        while pending or running:
            while pending and len(running) < workers:
                job = pending.pop(0)
                running[remote.remote(*args(job))] = job
            ready, _ = ray.wait(list(running), num_returns=1)
            finished(running.pop(ready[0]), lambda: ray.get(ready[0]))
    finally:
        if started_here:
            ray.shutdown()


def autograde_jobs(jobs: list[Job], root: Path) -> None:
    """nbgrader's autograde for each job, in this process (its Execute finds the cached run)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = _course_config(root)
    coursedir = CourseDirectory(config=config, root=str(root))
    api = NbGraderAPI(coursedir=coursedir, config=config)
    for job in jobs:
        result = api.autograde(job.assignment, job.student, force=True, create=True)
        if not result.get("success"):
            job.error = (result.get("error") or "nbgrader autograde failed")[-2000:]
            job.flags.append("nbgrader could not grade this submission (see .grading/state.json)")


def scan_flags(job: Job, root: Path) -> list[str]:
    try:
        from grading.scan import scan_submission
    except ImportError:
        return []
    release = root / "notebooks" / job.assignment / f"{job.assignment}.ipynb"
    if not release.is_file():
        return []
    try:
        submitted = nbformat.read(str(job.path), as_version=4)
        return list(scan_submission(submitted, nbformat.read(str(release), as_version=4)))
    except Exception as e:  # unreadable notebooks are nbgrader's to reject; note it only
        return [f"scan failed: {type(e).__name__}: {e}"[:300]]


def load_state(root: Path) -> dict:
    path = root / STATE_DIR / "state.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def save_state(root: Path, state: dict) -> None:
    path = root / STATE_DIR / "state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
    tmp.replace(path)


def write_grades(root: Path, state: dict) -> tuple[Path, list[dict]]:
    """grades.csv from the gradebook: one row per student and assignment."""
    from nbgrader.api import Gradebook, MissingEntry

    rows, cells = [], []
    with Gradebook(db_url(root)) as gb:
        for a in sorted(gb.assignments, key=lambda a: a.name):
            names = [c.name for nb in a.notebooks for c in nb.grade_cells]
            cells += [n for n in names if n not in cells]
            for student in sorted(gb.students, key=lambda s: s.id):
                try:
                    sub = gb.find_submission(a.name, student.id)
                except MissingEntry:
                    continue
                row = {
                    "student": student.id,
                    "assignment": a.name,
                    "total": round(float(sub.score), 4),
                    "max": round(float(sub.max_score), 4),
                }
                for nb in sub.notebooks:
                    for g in nb.grades:
                        row[g.name] = round(float(g.score), 4)
                flags = state.get(f"{a.name}/{student.id}", {}).get("flags", [])
                row["flags"] = " | ".join(flags)
                rows.append(row)
    path = root / GRADES_CSV
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, ["student", "assignment", "total", "max", *cells, "flags"])
        w.writeheader()
        w.writerows(rows)
    return path, rows


def _quiet() -> None:
    """nbgrader's own noise (SQLAlchemy session warnings from its gradebook code) is not the
    instructor's business; everything about the submissions is reported below."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message=".*not in session.*")
    logging.getLogger("traitlets").setLevel(logging.ERROR)


def grade(
    root: Path,
    assignments: list[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    unsafe: bool = False,
) -> list[dict]:
    root = Path(root).resolve()
    _quiet()
    os.chdir(root)  # nbgrader reads nbgrader_config.py from the current directory
    from grading.execute import notebook_key
    from grading.sandbox import SandboxUnavailable, check_available

    if unsafe:
        print("WARNING: --unsafe: submissions run WITHOUT a sandbox, with your rights, next to "
              "the gradebook and the answer key. Use only for code you trust.", file=sys.stderr)  # fmt: skip
    else:
        try:
            check_available()
        except SandboxUnavailable as e:
            raise SystemExit(f"grade: {e}") from None
    workers = workers or os.cpu_count() or 1
    if not assignments:
        sol = root / "solutions"
        assignments = sorted(
            d.name for d in sol.iterdir() if (d / f"{d.name}.ipynb").is_file()
        ) if sol.is_dir() else known_assignments(root)  # fmt: skip
    for a in assignments:
        ensure_assignment(root, a)
    config = _course_config(root)
    timeout, startup = _timeouts(config)
    state = load_state(root)
    jobs = find_submissions(root, assignments)
    todo = []
    for job in jobs:
        try:
            sanitize(job, root, config)
        except Exception as e:
            job.error = f"could not be read: {type(e).__name__}: {e}"[:500]
            job.flags.append(job.error)
            todo.append(job)
            continue
        job.key = notebook_key(job.sanitized, timeout, startup)
        prev = state.get(f"{job.assignment}/{job.student}", {})
        graded = (root / "autograded" / job.student / job.assignment).is_dir()
        if force or not graded or prev.get("sha") != job.sha or prev.get("key") != job.key:
            todo.append(job)
    print(f"grade: {len(jobs)} submissions, {len(todo)} new or changed, {workers} workers"
          f"{' (Ray cluster ' + os.environ['RAY_ADDRESS'] + ')' if os.environ.get('RAY_ADDRESS') else ''}")  # fmt: skip
    if unsafe:
        os.environ["GRADING_UNSAFE"] = "1"
    cache = root / STATE_DIR / "cache"
    t0 = time.monotonic()
    run_on_ray([j for j in todo if j.sanitized is not None], config, workers, unsafe, cache)
    t1 = time.monotonic()
    autograde_jobs(todo, root)
    t2 = time.monotonic()
    for job in todo:
        if not job.report and job.key:
            cached = cache / f"{job.key}.json"
            if cached.is_file():
                job.report = json.loads(cached.read_text())["report"]
        flags = list(job.flags)
        flags += scan_flags(job, root)
        flags += list(job.report.get("flags", []))
        if unsafe:
            flags.append("graded without the sandbox (--unsafe)")
        state[f"{job.assignment}/{job.student}"] = {
            "sha": job.sha,
            "key": job.key,
            "flags": flags,
            "error": job.error,
            "usage": {k: job.report.get(k) for k in ("wall_s", "cpu_s", "peak_rss", "sandboxed")},
            "graded_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    save_state(root, state)
    path, rows = write_grades(root, state)
    print(f"grade: executed in {t1 - t0:.1f} s, scored in {t2 - t1:.1f} s; wrote {path.name}")
    ok = [r for r in rows if not r["flags"]]
    flagged = [r for r in rows if r["flags"]]
    for r in ok:
        print(f"  {r['assignment']:<28} {r['student']:<24} {r['total']:>6g} / {r['max']:g}")
    if flagged:
        print(f"\nFLAGGED FOR REVIEW ({len(flagged)}): scores stand until you decide")
        for r in flagged:
            print(f"  {r['assignment']:<28} {r['student']:<24} {r['total']:>6g} / {r['max']:g}")
            for f in r["flags"].split(" | "):
                print(f"      - {f}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m grading", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grade", help="grade every submission under submitted/")
    g.add_argument("assignments", nargs="*", metavar="A")
    g.add_argument("--workers", type=int, default=None, help="parallel sandboxes (default: cores)")
    g.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    g.add_argument("--unsafe", action="store_true", help="run WITHOUT the sandbox (trusted code)")
    g.add_argument("--root", default=".", help="course root (where nbgrader_config.py is)")
    args = ap.parse_args(argv)
    grade(Path(args.root), args.assignments, args.workers, args.force, args.unsafe)
    return 0
