"""The instructor's term, end to end, from a fresh clone with the course's Makefile:

    make release                     -> notebooks/ unchanged, every assignment in gradebook.db
    make learner-edition DEST=x.zip  -> what learners download (publish)
    learners work (from the zip) and upload; the LMS download is a zip (Moodle) or files (Canvas)
    make collect FROM=...            -> submitted/<student>/<A>/<A>.ipynb
    make grade                       -> grades.csv, no warnings for honest submissions
    make feedback                    -> feedback/<student>/<A>/<A>.html, no hidden tests in it

and the working folders are ignored by git. Lessons 00 and 01 (the quick ones) are graded.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from tests import lab_harness as lh

REPO = lh.REPO
A0, A1 = "00_why_offline_rl", "01_simulated_recommender"
le = lh.load_script("learner_edition")

# What an instructor must not see for honest work: warnings, tracebacks, review flags.
NOISE = re.compile(r"warn|traceback|error|flagged|deprecat", re.IGNORECASE)


def answered(release_nb: dict, lesson: str) -> dict:
    """The release notebook with every exercise answered as in the solution."""
    sol = json.loads((REPO / "solutions" / lesson / f"{lesson}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in sol["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip
    nb = json.loads(json.dumps(release_nb))
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb


def dump(nb: dict) -> bytes:
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode()


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    course = lh.fresh_clone(tmp / "course", link_installed=True)
    steps: dict[str, subprocess.CompletedProcess] = {}

    def run(name, *args):
        t0 = time.perf_counter()
        proc = lh.make(course, *args)
        proc.seconds = time.perf_counter() - t0
        steps[name] = proc
        assert proc.returncode == 0, f"make {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    run("release", "release")
    # right after make release: no need to check again that notebooks/ is current
    run("publish", "learner-edition", f"DEST={tmp / 'offline-rl-course.zip'}", "NO_CHECK=1")

    # Learners download the zip and hand in their notebooks
    with zipfile.ZipFile(tmp / "offline-rl-course.zip") as z:
        blank = {
            a: json.loads(z.read(f"offline-rl-course/notebooks/{a}/{a}.ipynb")) for a in (A0, A1)
        }
    done = {a: answered(blank[a], a) for a in (A0, A1)}
    # Moodle "Download all submissions" for lesson 00: one folder per learner
    moodle = tmp / "moodle_00.zip"
    with zipfile.ZipFile(moodle, "w") as z:
        z.writestr(f"Ada Lovelace_301_assignsubmission_file_/{A0}.ipynb", dump(done[A0]))
        z.writestr(f"Alan Turing_302_assignsubmission_file_/{A0}.ipynb", dump(blank[A0]))
        # Grace worked in JupyterLab's duplicate and uploaded both files
        info = zipfile.ZipInfo(f"Grace Hopper_303_assignsubmission_file_/{A0}.ipynb",
                               (2026, 1, 10, 9, 0, 0))  # fmt: skip
        z.writestr(info, dump(blank[A0]))
        info = zipfile.ZipInfo(f"Grace Hopper_303_assignsubmission_file_/{A0}-Copy1.ipynb",
                               (2026, 1, 10, 8, 0, 0))  # fmt: skip
        z.writestr(info, dump(done[A0]))
        z.writestr("__MACOSX/._junk.ipynb", b"\0\0")
    # Canvas download for lesson 01: flat files, a late one, a resubmission
    canvas = tmp / "canvas_01"
    canvas.mkdir()
    (canvas / f"lovelaceada_1001_5001_{A1}.ipynb").write_bytes(dump(done[A1]))
    (canvas / f"turingalan_LATE_1002_5002_{A1}-1.ipynb").write_bytes(dump(done[A1]))
    (canvas / f"hoppergrace_1003_5003_{A1}.ipynb").write_bytes(dump(blank[A1]))

    run("collect moodle", "collect", f"FROM={moodle}")
    run("collect canvas", "collect", f"FROM={canvas}", f"A={A1}")
    run("grade", "grade", "WORKERS=2")
    run("feedback", "feedback")
    return course, steps


def test_make_release_registers_every_assignment_and_changes_nothing(term):
    course, steps = term
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        registered = sorted(a.name for a in gb.assignments)
        cells = {a: len(gb.find_notebook(a, a).grade_cells) for a in registered}
    lessons = sorted(p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb"))
    assert registered == lessons
    assert all(n > 0 for n in cells.values()), cells
    for lesson in lessons:
        rel = Path("notebooks") / lesson / f"{lesson}.ipynb"
        assert (course / rel).read_bytes() == (REPO / rel).read_bytes(), rel
        assert (course / rel).stat().st_mode & 0o777 == 0o644


def test_collect_finds_every_learner_in_lms_downloads(term):
    course, steps = term
    sub = course / "submitted"
    got = sorted(str(p.relative_to(sub)) for p in sub.glob("*/*/*.ipynb"))
    assert got == sorted([
        f"ada_lovelace/{A0}/{A0}.ipynb", f"alan_turing/{A0}/{A0}.ipynb",
        f"grace_hopper/{A0}/{A0}.ipynb", f"lovelaceada/{A1}/{A1}.ipynb",
        f"turingalan/{A1}/{A1}.ipynb", f"hoppergrace/{A1}/{A1}.ipynb",
    ])  # fmt: skip
    out = steps["collect moodle"].stdout
    assert "3 new" in out and f"{A0}-Copy1.ipynb" in out
    assert "not used (1)" in out  # Grace's blank original
    assert "NOT COLLECTED" not in out and "__MACOSX" not in out
    grace = json.loads((sub / "grace_hopper" / A0 / f"{A0}.ipynb").read_text())
    assert "raise NotImplementedError()" not in "".join(
        "".join(c["source"])
        for c in grace["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    )  # the answered copy, not the blank original


def test_grades_csv_and_a_quiet_terminal(term):
    course, steps = term
    rows = list(csv.DictReader((course / "grades.csv").open()))
    total = {(r["student"], r["assignment"]): (float(r["total"]), float(r["max"])) for r in rows}
    full = {k: v for k, v in total.items() if v[0] == v[1] and v[1] > 0}
    zero = {k: v for k, v in total.items() if v[0] == 0}
    assert set(full) == {("ada_lovelace", A0), ("grace_hopper", A0), ("lovelaceada", A1),
                         ("turingalan", A1)}, total  # fmt: skip
    assert set(zero) == {("alan_turing", A0), ("hoppergrace", A1)}, total
    assert not any(r["flags"] for r in rows), rows
    for name, proc in steps.items():
        noisy = [ln for ln in (proc.stdout + proc.stderr).splitlines() if NOISE.search(ln)]
        assert not noisy, f"make {name} printed:\n" + "\n".join(noisy)


def test_feedback_for_every_learner_without_hidden_tests(term):
    course, steps = term
    files = sorted(
        str(p.relative_to(course / "feedback")) for p in (course / "feedback").rglob("*.html")
    )
    assert len(files) == 6, files
    hidden = [k for k in le.answer_key(REPO) if "hidden" in k[0]]
    assert le.find_leaks(course / "feedback", hidden) == []


def test_working_folders_and_exports_are_ignored_by_git(term):
    course, _ = term
    subprocess.run(["git", "init", "-q"], cwd=course, check=True)
    staged = subprocess.run(["git", "add", "--dry-run", "."], cwd=course, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    work = ["submitted", "autograded", "feedback", "gradebook.db", "grades.csv", ".grading",
            "grades_nbgrader_export.csv", "build/learners", "test-artifacts/x.png"]  # fmt: skip
    for path in work:
        assert f"'{path}" not in staged, f"{path} would be committed"
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=course)
        assert ignored.returncode == 0, f"{path} is not ignored by git"
    assert (course / "grades.csv").is_file() and (course / "autograded").is_dir()
    assert "'notebooks/" in staged and "'solutions/" in staged  # the course itself is not ignored
