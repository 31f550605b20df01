"""Section 4: autograding, ``nbgrader autograde`` of one complete set of submissions.

In a temporary course directory (the repository's nbgrader_config.py and solutions/, built with
the helpers of tests/nbgrader_harness.py, i.e. scripts/release.py's release process), the
release of every assignment is generated, one student ("bench") submits every assignment with
every exercise answered correctly (the release with each solution cell filled in from the
solution notebook: ``fill_release``), and ``nbgrader autograde A`` runs once per assignment, as
an instructor runs it. Measured: wall time of each autograde command (the figure that matters
for a class: it scales with the number of students) and in total; the release generation and
the scores (full marks expected) are recorded beside it, and the peak memory of the process
tree.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import REPO, TreeMemorySampler, Unavailable, log, reap_descendants

STUDENT = "bench"


def _harness():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        from tests import nbgrader_harness
    except Exception as e:  # noqa: BLE001
        raise Unavailable(f"tests/nbgrader_harness.py cannot be imported: {e}") from None
    return nbgrader_harness


def run(opts) -> dict:
    import nbformat

    h = _harness()
    assignments = h.assignments()
    if not assignments:
        raise Unavailable("no assignments in solutions/ yet")
    log(f"autograde: {len(assignments)} assignments: {', '.join(assignments)}")
    per = {}
    with TreeMemorySampler(interval=0.2) as mem, tempfile.TemporaryDirectory(
        prefix="offrl-autograde-"
    ) as tmp:
        course = Path(tmp) / "course"
        h.release.make_course(course, assignments)
        for a in assignments:
            t0 = time.perf_counter()
            h.release.generate(course, a)
            gen = time.perf_counter() - t0
            release_nb = h.read(course / "notebooks" / a / f"{a}.ipynb")
            submission = h.fill_release(release_nb, h.read(h.solution_path(a)))
            dest = course / "submitted" / STUDENT / a
            dest.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission, str(dest / f"{a}.ipynb"))
            log(f"autograde: nbgrader autograde {a}")
            mem.mark(a)
            t0 = time.perf_counter()
            error = None
            try:
                h.run_nbgrader(["autograde", a, "--force"], course)
            except Exception as e:  # noqa: BLE001 - recorded, the other assignments still run
                error = str(e)[-800:]
            wall = time.perf_counter() - t0
            mem.mark(None)
            row = {"autograde_s": round(wall, 3), "generate_assignment_s": round(gen, 3)}
            if error:
                row["error"] = error
            else:
                scores = h.read_scores(course, a, [STUDENT])[STUDENT]
                row["score"] = sum(s for s, _ in scores.values())
                row["max_score"] = sum(m for _, m in scores.values())
                row["full_marks"] = row["score"] == row["max_score"]
                lost = [g for g, (s, m) in scores.items() if s < m]
                if lost:
                    row["cells_not_full_marks"] = lost
            row["peak_rss_gib"] = round(mem.per_label.get(a, 0) / 2**30, 3)
            left = reap_descendants()
            if left:
                row["processes_left_running"] = left
            log(
                f"autograde: {a}: {wall:.1f} s"
                + (", FAILED" if error else f", score {row['score']:g}/{row['max_score']:g}")
            )
            per[a] = row
        memory = mem.report()
    return {
        "how": "temporary course (tests/nbgrader_harness.py helpers); one student submitting "
        "every assignment answered correctly; one `nbgrader autograde A --force` per assignment",
        "assignments": per,
        "num_assignments": len(per),
        "total_s": round(sum(r["autograde_s"] for r in per.values()), 2),
        "generate_total_s": round(sum(r["generate_assignment_s"] for r in per.values()), 2),
        "all_full_marks": all(r.get("full_marks") for r in per.values()),
        "memory": memory,
    }


def headlines(res: dict) -> dict:
    return {"autograde_total_s": res["total_s"]}


def table(res: dict) -> list[tuple[str, str, str]]:
    rows = []
    for a, r in res["assignments"].items():
        if "error" in r:
            what = "FAILED: " + r["error"].strip().splitlines()[-1][:60]
        else:
            what = f"score {r['score']:g}/{r['max_score']:g}" + (
                "" if r["full_marks"] else f" (lost: {', '.join(r['cells_not_full_marks'])})"
            )
        rows.append((a, f"{r['autograde_s']:.1f} s, {what}", ""))
    rows.append((
        f"total, {res['num_assignments']} assignments, 1 student",
        f"{res['total_s']:.1f} s (release generation {res['generate_total_s']:.1f} s more); "
        f"peak {res['memory']['peak_rss_gib']:.2f} GiB",
        "<= 150 s",
    ))  # fmt: skip
    return rows
