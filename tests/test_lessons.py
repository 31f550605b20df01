"""Every lesson (nbgrader assignment) in solutions/ is checked the way it will be used:

* the solution notebook runs top to bottom, from a directory that is not the repo, with no error,
  no stderr output and no library notices;
* notebooks/<A>/ is exactly what scripts/release.py generates (no drift);
* nbgrader round trip in a temporary course: the solution scores full marks on every graded
  cell, the untouched release 0 on every graded cell, `nbgrader validate` passes the solution;
* every typical mistake in tests/mistakes/<A>.py scores 0 on the cells it `loses`;
* every right answer written differently in tests/correct_variants/<A>.py keeps full marks on
  the cells it `keeps`;
* structure: >= 3 graded test cells with points, locked, with hidden tests; solution cells
  with BEGIN/END SOLUTION markers; no outputs committed.

New lessons are picked up automatically. Each lesson runs in ONE kernel (the solution top to
bottom, then every typical mistake checked in that live kernel: see
nbgrader_harness.run_with_mistakes), is generated once and autograded in ONE `nbgrader autograde`
call (solution, blank release and the first mistake as students, so the real pipeline is shown to
score mistakes 0 too). Timings per lesson are printed at the end of the run. Restrict to one
lesson with `-k 00_why`.
"""

from __future__ import annotations

import difflib
import re
import time
from pathlib import Path

import pytest

from tests import nbgrader_harness as h

ASSIGNMENTS = h.assignments()
# With pytest-xdist, `--dist loadgroup` keeps each lesson's tests on one worker, so its course is
# generated and autograded once.
LESSONS = [pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS]
# validate needs neither of the lesson's shared runs: it may run on the other worker
VALIDATED = [pytest.param(a, marks=pytest.mark.xdist_group(f"{a}-validate")) for a in ASSIGNMENTS]
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
# The tamper check (edited and deleted test cells) tests the course config, not a lesson: it
# runs on one cheap lesson only.
TAMPER_LESSON = h.TAMPER_LESSON
LEFTOVERS = h.LEFTOVERS  # files each solution run left in its working directory

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")


_time = h.time_step


def _mistake_params():
    params = []
    for a in ASSIGNMENTS:
        for i, m in enumerate(h.load_mistakes(a)):
            pid = f"{a}-{i:02d}-{m.cell}"
            params.append(pytest.param(a, i, id=pid, marks=pytest.mark.xdist_group(a)))
    return params


def _variant_params():
    params = []
    for a in ASSIGNMENTS:
        for i, v in enumerate(h.load_variants(a)):
            pid = f"{a}-{i:02d}-{v.cell}"
            params.append(pytest.param(a, i, id=pid, marks=pytest.mark.xdist_group(a)))
    return params


# ---------------------------------------------------------------------------------------------
# Static checks (fast)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", LESSONS)
def test_structure(assignment):
    nb = h.read(h.solution_path(assignment))
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", (
        "autograde forces the source's kernelspec onto submissions: use the python3 kernel"
    )
    ids = [h.nbgrader_meta(c).get("grade_id") for c in nb.cells if h.nbgrader_meta(c)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate grade_ids: {dupes}"
    for gid in ids:
        assert gid and GRADE_ID.match(gid), f"grade_id {gid!r}: letters, digits, _ and - only"

    tests = h.grade_cells(nb)
    assert len(tests) >= 3, f"{len(tests)} graded cells; every lesson needs >= 3 graded exercises"
    for cell in tests:
        meta = h.nbgrader_meta(cell)
        gid = meta["grade_id"]
        assert cell.cell_type == "code" and not meta.get("solution"), f"{gid}: autograded test cell"
        assert meta.get("points", 0) > 0, f"{gid}: graded cell without points"
        assert meta.get("locked") is True, f"{gid}: graded cell must be locked"
        src = cell.source
        assert "### BEGIN HIDDEN TESTS" in src and "### END HIDDEN TESTS" in src, (
            f"{gid}: every test cell needs hidden tests"
        )
        hidden = src.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
        visible = re.sub(
            r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "", src, flags=re.S
        )
        assert "assert" in hidden, f"{gid}: the hidden tests assert nothing"
        assert "assert" in visible, f"{gid}: no visible test: learners need one to check their work"

    solutions = h.solution_cells(nb)
    assert solutions, "no solution cells"
    for cell in solutions:
        meta = h.nbgrader_meta(cell)
        gid = meta["grade_id"]
        assert cell.cell_type == "code", f"{gid}: answers are values in code cells (autograded)"
        assert not meta.get("grade"), f"{gid}: solution cells are graded by their test cell"
        assert meta.get("locked") is False, f"{gid}: a solution cell must not be locked"
        begin = cell.source.find("### BEGIN SOLUTION")
        end = cell.source.find("### END SOLUTION")
        assert 0 <= begin < end, f"{gid}: needs ### BEGIN SOLUTION ... ### END SOLUTION"


@pytest.mark.parametrize("assignment", LESSONS)
def test_committed_without_outputs(assignment):
    for path in (h.solution_path(assignment), h.release_path(assignment)):
        if not path.exists():
            continue  # a missing release is reported by test_release_is_up_to_date
        nb = h.read(path)
        dirty = [
            i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
        ]
        assert not dirty, f"{path.relative_to(h.REPO)}: clear the outputs of cells {dirty}"


def _check_trials(assignment: str, trials: list, kind: str, verb: str) -> set[str]:
    """Each trial (Mistake or Variant) names a solution cell, graded test cells it `checked`
    and says why; returns the test cells the trials cover."""
    nb = h.read(h.solution_path(assignment))
    solution_ids = {h.nbgrader_meta(c)["grade_id"] for c in h.solution_cells(nb)}
    test_ids = {h.nbgrader_meta(c)["grade_id"] for c in h.grade_cells(nb)}
    for t in trials:
        assert t.cell in solution_ids, f"{kind} {t.why!r}: {t.cell!r} is not a solution cell"
        assert t.checked, f"{kind} {t.why!r}: {verb} nothing"
        unknown = set(t.checked) - test_ids
        assert not unknown, f"{kind} {t.why!r}: {unknown} are not graded test cells"
        assert t.why, f"{kind} on {t.cell}: say why"
    return test_ids - {gid for t in trials for gid in t.checked}


@pytest.mark.parametrize("assignment", LESSONS)
def test_every_test_cell_has_a_typical_mistake(assignment):
    mistakes = h.load_mistakes(assignment)
    assert mistakes, f"no tests/mistakes/{assignment}.py with MISTAKES"
    uncovered = _check_trials(assignment, mistakes, "mistake", "loses")
    assert not uncovered, f"no typical mistake targets {sorted(uncovered)}"


@pytest.mark.parametrize("assignment", LESSONS)
def test_every_exercise_has_a_correct_variant(assignment):
    """Tests that reject a right answer written differently are bugs too: every exercise has at
    least one such answer in tests/correct_variants/<A>.py, and each names real cells."""
    uncovered = _check_trials(assignment, h.load_variants(assignment), "variant", "keeps")
    assert not uncovered, (
        f"no correct variant in tests/correct_variants/{assignment}.py keeps {sorted(uncovered)}"
    )


# ---------------------------------------------------------------------------------------------
# The solution runs clean
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", LESSONS)
def test_solution_runs_clean(assignment, kernel_run):
    nb = kernel_run(assignment).executed
    errors = h.error_outputs(nb)
    assert not errors, "the solution raises:\n" + "\n".join(f"cell {i}: {e}" for i, e in errors)
    stderr = h.stderr_outputs(nb)
    assert not stderr, "stderr output (warnings?) in cells:\n" + "\n".join(
        f"cell {i}: {text[:500]}" for i, text in stderr
    )
    notices = h.stdout_notices(nb)
    assert not notices, "library notices on stdout:\n" + "\n".join(
        f"cell {i}: {text[:500]}" for i, text in notices
    )


@pytest.mark.parametrize("assignment", LESSONS)
def test_every_number_in_the_prose_is_printed(assignment, kernel_run):
    """A decimal or percentage stated in a markdown cell is a parameter written in the code or a
    value the notebook prints (rounded to the prose's decimals): retraining a policy or
    regenerating the data cannot leave a stale claim behind."""
    missing = h.prose_numbers_not_shown(kernel_run(assignment).executed)
    assert not missing, "numbers in the prose that the notebook neither sets nor prints:\n" + (
        "\n".join(f"cell {i}: {n!r} in ...{ctx}..." for i, n, ctx in missing)
    )


@pytest.mark.parametrize("assignment", LESSONS)
def test_solution_leaves_working_directory_clean(assignment, kernel_run):
    """Learners run the notebook inside notebooks/<A>/ of their clone: files written there
    (scratch data, checkpoints) clutter the repo; write them to a temporary directory."""
    kernel_run(assignment)  # the shared run (built here if no test asked for it yet) lists them
    assert not LEFTOVERS[assignment], (
        f"the notebook wrote into its working directory: {LEFTOVERS[assignment]}"
    )


# ---------------------------------------------------------------------------------------------
# The committed release is the generated one
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", LESSONS)
def test_release_is_up_to_date(assignment, lesson_run):
    run = lesson_run(assignment)
    fresh_dir = run.course / "notebooks" / assignment
    committed_dir = h.REPO / "notebooks" / assignment
    hint = f"regenerate with: python scripts/release.py {assignment}"
    assert committed_dir.is_dir(), f"notebooks/{assignment}/ missing; {hint}"
    fresh = sorted(p.relative_to(fresh_dir) for p in fresh_dir.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(committed_dir)
        for p in committed_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
    )
    assert fresh == committed, f"files differ: {set(fresh) ^ set(committed)}; {hint}"
    for rel in fresh:
        a, b = (fresh_dir / rel).read_bytes(), (committed_dir / rel).read_bytes()
        if a != b:
            diff = "".join(
                list(
                    difflib.unified_diff(
                        b.decode(errors="replace").splitlines(True),
                        a.decode(errors="replace").splitlines(True),
                        f"committed/{rel}",
                        f"generated/{rel}",
                    )
                )[:60]
            )
            pytest.fail(f"notebooks/{assignment}/{rel} drifted from solutions/; {hint}\n{diff}")


# ---------------------------------------------------------------------------------------------
# nbgrader round trip
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", LESSONS)
def test_solution_gets_full_marks(assignment, lesson_run):
    scores = lesson_run(assignment).scores["solution"]
    assert scores, "no graded cells in the gradebook"
    lost = {gid: s for gid, s in scores.items() if s[0] != s[1]}
    assert not lost, f"the solution loses points on {lost} (score, max)"


@pytest.mark.parametrize("assignment", LESSONS)
def test_untouched_release_scores_zero(assignment, lesson_run):
    scores = lesson_run(assignment).scores["release"]
    won = {gid: s for gid, s in scores.items() if s[0] != 0}
    assert not won, f"the blank release earns points on {won}: a test passes without an answer"


@pytest.mark.parametrize("assignment", LESSONS)
def test_honest_submissions_are_not_flagged(assignment, lesson_run):
    """make grade (which the round trip above runs) flags nothing honest: the solution, the blank
    release and a typical mistake, executed in the sandbox with the in-kernel guard and scanned
    (every typical mistake is scanned in tests/test_grading_scan.py)."""
    run = lesson_run(assignment)
    flags = h.flags(run.course, assignment)
    honest = [s for s in run.scores if s != "tampered"]
    flagged = {s: flags.get(s) for s in honest if flags.get(s)}
    assert not flagged, f"honest submissions flagged for review: {flagged}"
    if "tampered" in run.scores:
        assert flags.get("tampered"), "edited and deleted test cells were not flagged"


@pytest.mark.parametrize("assignment", [p for p in LESSONS if p.values[0] == TAMPER_LESSON])
def test_edited_or_deleted_tests_cannot_raise_a_score(assignment, lesson_run):
    run = lesson_run(assignment)
    assert run.scores["tampered"] == run.scores["solution"], (
        "nbgrader did not restore edited/deleted test cells (checksums, add_missing_cells)"
    )


@pytest.mark.parametrize("assignment", VALIDATED)
def test_validate_passes_on_solution(assignment, tmp_path):
    copy = tmp_path / assignment / f"{assignment}.ipynb"  # validate runs it in its folder
    copy.parent.mkdir()
    copy.write_bytes(h.solution_path(assignment).read_bytes())
    t0 = time.perf_counter()
    result = h.validate(copy)
    _time(assignment, "validate", time.perf_counter() - t0)
    assert result.ok, f"nbgrader validate failed on the solution:\n{result.output[-3000:]}"


@pytest.mark.parametrize("assignment,index", _mistake_params())
def test_typical_mistake_loses_points(assignment, index, kernel_run):
    run = kernel_run(assignment)
    mistake = h.load_mistakes(assignment)[index]
    kept = [gid for gid, lost in run.lost[index].items() if not lost]
    assert not kept, f"mistake {mistake.why!r} on {mistake.cell} still passes {kept}"
    if not mistake.crashes:
        assert run.cell_errors[index] is None, (
            f"mistake {mistake.why!r}: its cell raises {run.cell_errors[index]}; fix the "
            "mistake's source or mark it crashes=True"
        )


@pytest.mark.parametrize("assignment,index", _variant_params())
def test_correct_variant_keeps_full_marks(assignment, index, kernel_run):
    run = kernel_run(assignment)
    variant = h.load_variants(assignment)[index]
    failed = [gid for gid, bad in run.variant_failed[index].items() if bad]
    assert not failed, (
        f"right answer {variant.why!r} on {variant.cell} loses points on {failed}"
        + (f" (its cell raised {run.variant_errors[index]})" if run.variant_errors[index] else "")
    )


@pytest.mark.parametrize("assignment", LESSONS)
def test_a_mistake_loses_points_under_nbgrader_autograde(assignment, lesson_run):
    """The in-kernel check above agrees with nbgrader's own scoring (first mistake)."""
    run = lesson_run(assignment)
    if not run.mistakes:
        pytest.skip("no mistakes (test_every_test_cell_has_a_typical_mistake fails)")
    mistake, scores = run.mistakes[0], run.scores[run.student_of(0)]
    kept = {gid: scores[gid] for gid in mistake.loses if scores[gid][0] != 0}
    assert not kept, f"mistake {mistake.why!r} on {mistake.cell} still scores {kept}"
    # (later exercises that build on this answer may lose points too: that is the lesson's design)


# ---------------------------------------------------------------------------------------------
# The course configuration itself
# ---------------------------------------------------------------------------------------------
def test_library_notices_cost_nothing_own_warnings_cost_alike_in_validate_and_autograde(tmp_path):
    """nbgrader scores any stderr output in a test cell as a failure. nbgrader_config.py's
    IgnorePattern drops library notices (warnings whose file is a library, Ray-style logging) in
    autograde AND in validate; a warning raised by the learner's own code (its file is a notebook
    cell) is not a library notice and costs the test cell in both; a wrong answer that also
    warns still scores 0. Uses a throwaway two-cell assignment, not a lesson.

    IgnorePattern judges one stderr *output* at a time and drops it whole if any line is a
    notice; ipykernel batches stderr writes made close together into one output. So the test cell
    flushes its notices before calling the learner's function: a learner warning that shares a
    batch with a library notice would be dropped too (in validate as in autograde: they agree)."""
    import shutil

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    def meta(gid, **kw):
        return {"nbgrader": {"grade_id": gid, "schema_version": 3, **kw}}

    toy = tmp_path / "repo"
    (toy / "solutions" / "toy").mkdir(parents=True)
    shutil.copy2(h.REPO / "nbgrader_config.py", toy / "nbgrader_config.py")
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_code_cell(
            "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=meta("answer", grade=False, solution=True, locked=False),
        ),
        new_code_cell(
            "import sys, warnings\n"
            "import numpy as np\n"
            "np.mean(np.array([]))  # numpy's own RuntimeWarning (its file: numpy)\n"
            "warnings.warn_explicit('some library is deprecated', DeprecationWarning,\n"
            "                       '/usr/lib/python3/dist-packages/somelib/mod.py', 12)\n"
            "warnings.warn_explicit('tensor layout will change', UserWarning,\n"
            "                       '/opt/venv/lib/python3.11/site-packages/torch/x.py', 7)\n"
            "print('2025-01-01 12:00:00,123\\tWARNING worker.py:12 -- a Ray notice', file=sys.stderr)\n"
            "sys.stderr.flush()  # the notices leave as their own output (see the docstring)\n"
            "assert f(2) == 4\n"
            "### BEGIN HIDDEN TESTS\nassert f(5) == 10\n### END HIDDEN TESTS",
            metadata=meta("test", grade=True, solution=False, locked=True, points=1),
        ),
    ]
    nbformat.write(nb, str(toy / "solutions" / "toy" / "toy.ipynb"))
    course = h.make_course(tmp_path / "course", "toy", repo=toy)
    wrong = h.with_cell_source(nb, "answer", "def f(x):\n    return x + 2")  # f(2) == 4 too
    own_warning = h.with_cell_source(
        nb, "answer",
        "import warnings\nwarnings.simplefilter('always')\n"
        "def f(x):\n    warnings.warn('x is small', RuntimeWarning)\n    return 2 * x",
    )  # fmt: skip
    students = {"right": nb, "wrong": wrong, "own_warning": own_warning}
    scores = h.autograde(course, "toy", students)
    assert scores["right"]["test"] == (1.0, 1.0), "a library warning cost the points"
    assert scores["wrong"]["test"] == (0.0, 1.0), "a wrong answer scored despite failing a test"
    assert scores["own_warning"]["test"] == (0.0, 1.0), "the learner's own warning was dropped"
    for student, ok in (("right", True), ("own_warning", False)):
        copy = tmp_path / "validate" / student / "toy" / "toy.ipynb"
        copy.parent.mkdir(parents=True)
        nbformat.write(students[student], str(copy))
        result = h.validate(copy, course=course)
        assert result.ok is ok, f"validate disagrees with autograde on {student}:\n{result.output[-2000:]}"
