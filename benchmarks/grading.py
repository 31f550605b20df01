"""Section 6: grading a class, plain sequential ``nbgrader autograde`` vs ``make grade``.

For each assignment (``--grading-assignments``, default the cheapest lesson) a synthetic class of
``--grading-students`` submissions (default 100; 12 with ``--quick``) cycles through: every answer
right, the blank release, each typical mistake of tests/mistakes/<A>.py, and a few hostile
submissions (a rebound ``np.allclose``, an input transformer that blanks asserts, a walk of the
file system for answer keys). The same class is graded, in one run, three ways:

1. **nbgrader as shipped**: one ``nbgrader autograde A --force``, sequential, no sandbox (the
   course's config with nbgrader's own ``Execute``);
2. **make grade, 1 worker** (``python -m grading grade A --force --workers 1``);
3. **make grade, W workers** (W = the machine's cores).

Headlines: ``grading_parallel_efficiency`` = T(1 worker) / (W x T(W workers)), goal >= 0.85;
``grading_sandbox_overhead`` = the sandbox's cost per submission, a fraction: the median time of
one submission executed by the grader's runner inside bubblewrap vs the same runner without it,
alternated (goal <= 0.15); ``grading_speedup_vs_nbgrader`` = T(nbgrader) / T(W workers);
``grading_runner_guard_overhead`` = what the grader's runner and in-kernel guard cost on top of
a plain nbclient run of the same notebook (no goal: reported so that the sandbox figure is not
read as the whole price of safe grading). The
per-submission cost and the serial scoring pass give the projection for a large class.
"""

from __future__ import annotations

import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, Unavailable, log

DEFAULT_ASSIGNMENTS = ["00_why_offline_rl"]
HOSTILE = {
    "rebind_allclose": "import numpy as np\nnp.allclose = lambda *a, **k: True\n",
    "input_transformer": (
        "get_ipython().input_transformers_cleanup.append(\n"
        "    lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)\n"
    ),
    "walk_for_answers": (
        "import os\nfor d, _, fs in os.walk('/'):\n"
        "    [print(os.path.join(d, f)) for f in fs if f.endswith('.db')]\n"
    ),
}
PLAIN_NBGRADER = """
# benchmarks/grading.py: nbgrader as shipped (its own Execute, no sandbox) for the baseline
from nbconvert.preprocessors import ClearMetadataPreprocessor as _CM
from nbgrader.preprocessors import (AssignLatePenalties as _AL, CheckCellMetadata as _CC,
    Execute as _EX, IgnorePattern as _IP, LimitOutput as _LO, SaveAutoGrades as _SA)
c.Autograde.autograde_preprocessors = [_EX, _IP, _CM, _LO, _SA, _AL, _CC]
"""


def _harness():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests import nbgrader_harness

    return nbgrader_harness


def synthetic_class(h, a: str, release_nb, solution_nb, n: int) -> dict:
    """n submissions cycling through correct, blank, every typical mistake, hostile ones."""
    kinds = [("correct", h.fill_release(release_nb, solution_nb)), ("blank", release_nb)]
    for i, m in enumerate(h.load_mistakes(a)):
        kinds.append((f"mistake{i:02d}", h.apply_mistake(release_nb, solution_nb, m)))
    first_answer = h.solution_cells(release_nb)[0]
    gid = h.nbgrader_meta(first_answer)["grade_id"]
    for name, code in HOSTILE.items():
        nb = h.fill_release(release_nb, release_nb)
        h.cell_by_id(nb, gid).source = first_answer.source + "\n" + code
        kinds.append((f"hostile_{name}", nb))
    cls = {}
    for i, (kind, nb) in zip(range(n), itertools.cycle(kinds)):
        cls[f"s{i:03d}_{kind}"] = nb
    return cls


def _write(h, course: Path, a: str, cls: dict) -> None:
    import nbformat

    for student, nb in cls.items():
        dest = course / "submitted" / student / a
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest / f"{a}.ipynb"))


def _sandbox_overhead(h, a: str, nb, repeats: int) -> dict:
    """Median wall time of one submission, alternated: through the grader's runner in bubblewrap,
    through the same runner without it, and executed plainly by nbclient (no runner, no guard:
    what nbgrader's own Execute does). The first pair is the sandbox's cost; the second the
    runner's and in-kernel guard's."""
    import copy

    from nbclient import NotebookClient

    from grading.execute import execute_submission

    def bare(notebook):
        with tempfile.TemporaryDirectory(prefix="offrl-bare-") as d:
            NotebookClient(
                copy.deepcopy(notebook), timeout=240, kernel_name="python3", allow_errors=True,
                resources={"metadata": {"path": d}},
            ).execute()  # fmt: skip

    sandboxed, plain, nbclient = [], [], []
    for _ in range(repeats):
        for run_once, into in (
            (lambda: execute_submission(nb, timeout=240, unsafe=False), sandboxed),
            (lambda: execute_submission(nb, timeout=240, unsafe=True), plain),
            (lambda: bare(nb), nbclient),
        ):
            t0 = time.perf_counter()
            run_once()
            into.append(time.perf_counter() - t0)
    s, p, b = (statistics.median(x) for x in (sandboxed, plain, nbclient))
    return {
        "sandboxed_median_s": round(s, 3),
        "unsandboxed_median_s": round(p, 3),
        "nbclient_median_s": round(b, 3),
        "overhead_fraction": round((s - p) / p, 4),
        "runner_guard_overhead_fraction": round((p - b) / b, 4),
        "repeats": repeats,
    }


def run(opts) -> dict:
    h = _harness()
    from grading.sandbox import SandboxUnavailable, check_available

    try:
        check_available()
    except SandboxUnavailable as e:
        raise Unavailable(str(e)) from None
    n = getattr(opts, "grading_students", None) or (12 if opts.quick else 100)
    wanted = getattr(opts, "grading_assignments", None)
    assignments = wanted.split(",") if wanted else DEFAULT_ASSIGNMENTS
    workers = os.cpu_count() or 1
    per = {}
    with tempfile.TemporaryDirectory(prefix="offrl-grading-") as tmp:
        for a in assignments:
            solution_nb = h.read(h.solution_path(a))
            # (1) nbgrader as shipped
            plain = h.make_course(Path(tmp) / f"plain-{a}", a)
            with open(plain / "nbgrader_config.py", "a") as f:
                f.write(PLAIN_NBGRADER)
            release_nb = h.read(plain / "notebooks" / a / f"{a}.ipynb")
            cls = synthetic_class(h, a, release_nb, solution_nb, n)
            _write(h, plain, a, cls)
            log(f"grading: {a}: {n} submissions, plain sequential nbgrader autograde")
            t0 = time.perf_counter()
            proc = h.run_nbgrader_unchecked(["autograde", a, "--force"], plain)
            t_nbgrader = time.perf_counter() - t0
            # (2) and (3) make grade, 1 and W workers, each in a fresh course (no cache)
            times, outputs = {}, {}
            for w in sorted({1, workers}):
                course = h.make_course(Path(tmp) / f"grade{w}-{a}", a)
                _write(h, course, a, cls)
                log(f"grading: {a}: {n} submissions, make grade with {w} worker(s)")
                t0 = time.perf_counter()
                res = h.grade_class(course, [a, "--force", "--workers", str(w)])
                times[w] = time.perf_counter() - t0
                outputs[w] = res.stdout[-3000:]
                flags = h.flags(course, a)
                scores = h.read_scores(course, a, list(cls))
                shutil.rmtree(course / "autograded", ignore_errors=True)
            flagged = sorted(s for s, f in flags.items() if f)
            honest_flagged = [s for s in flagged if "hostile" not in s]
            hostile_unflagged = [s for s in cls if "hostile" in s and s not in flagged]
            log(f"grading: {a}: sandbox overhead, one correct submission, alternated")
            overhead = _sandbox_overhead(h, a, cls[next(iter(cls))], 2 if opts.quick else 5)
            t1, tw = times[1], times[workers]
            per[a] = {
                "students": n,
                "nbgrader_sequential_s": round(t_nbgrader, 2),
                "nbgrader_exit": proc.returncode,
                "grade_1_worker_s": round(t1, 2),
                f"grade_{workers}_workers_s": round(tw, 2),
                "parallel_efficiency": round(t1 / (workers * tw), 4),
                "speedup_vs_nbgrader": round(t_nbgrader / tw, 3),
                "per_submission_cpu_s": round(t1 / n, 3),
                "nbgrader_per_submission_s": round(t_nbgrader / n, 3),
                "sandbox": overhead,
                "flagged": len(flagged),
                "honest_flagged": honest_flagged,
                "hostile_unflagged": hostile_unflagged,
                "full_marks": sum(
                    1 for s, sc in scores.items() if all(v[0] == v[1] for v in sc.values())
                ),
                "grade_output_tail": outputs[workers][-800:],
            }
    eff = statistics.median(r["parallel_efficiency"] for r in per.values())
    over = statistics.median(r["sandbox"]["overhead_fraction"] for r in per.values())
    return {
        "how": "synthetic class per assignment (correct, blank, typical mistakes, hostile); "
        "plain sequential nbgrader autograde vs make grade with 1 and W workers, one run",
        "workers": workers,
        "assignments": per,
        "parallel_efficiency": eff,
        "sandbox_overhead": over,
        "speedup_vs_nbgrader": statistics.median(r["speedup_vs_nbgrader"] for r in per.values()),
        "runner_guard_overhead": statistics.median(
            r["sandbox"]["runner_guard_overhead_fraction"] for r in per.values()
        ),
    }


def headlines(res: dict) -> dict:
    return {
        "grading_parallel_efficiency": res["parallel_efficiency"],
        "grading_sandbox_overhead": res["sandbox_overhead"],
        "grading_speedup_vs_nbgrader": res["speedup_vs_nbgrader"],
        "grading_runner_guard_overhead": res.get("runner_guard_overhead"),
    }


def table(res: dict) -> list[tuple[str, str, str]]:
    rows = []
    w = res["workers"]
    for a, r in res["assignments"].items():
        rows.append((
            f"{a}, {r['students']} submissions",
            f"nbgrader {r['nbgrader_sequential_s']:.0f} s; make grade 1 worker "
            f"{r['grade_1_worker_s']:.0f} s, {w} workers {r[f'grade_{w}_workers_s']:.0f} s; "
            f"flagged {r['flagged']} (honest flagged: {len(r['honest_flagged'])}, hostile missed: "
            f"{len(r['hostile_unflagged'])})",
            "",
        ))  # fmt: skip
        s = r["sandbox"]
        rows.append((
            f"{a}, one submission",
            f"runner in bwrap {s['sandboxed_median_s']:.2f} s, runner without bwrap "
            f"{s['unsandboxed_median_s']:.2f} s, plain nbclient (no runner, no guard) "
            f"{s.get('nbclient_median_s', float('nan')):.2f} s",
            "",
        ))  # fmt: skip
    rows.append(("parallel efficiency per core", f"{res['parallel_efficiency']:.2f}", ">= 0.85"))
    rows.append(("sandbox overhead per submission", f"{res['sandbox_overhead']:+.1%}", "<= 15 %"))
    rows.append(("speed-up vs sequential nbgrader", f"{res['speedup_vs_nbgrader']:.2f}x", ""))
    if res.get("runner_guard_overhead") is not None:
        rows.append((
            "runner + guard cost per submission", f"{res['runner_guard_overhead']:+.1%}",
            "(vs plain nbclient)",
        ))  # fmt: skip
    return rows
