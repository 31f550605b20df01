"""`make grade` without a sandbox: it refuses, clearly, unless the instructor opts in with
--unsafe, which grades loudly and flags every row."""

from __future__ import annotations

import subprocess

import pytest

from tests import nbgrader_harness as h
from tests.test_grading_attacks import A, tiny_course

pytestmark = pytest.mark.xdist_group("grading_cli")


def test_refuses_without_bubblewrap_and_grades_loudly_with_unsafe(tmp_path, monkeypatch):
    course, solution, release = tiny_course(tmp_path)
    dest = course / "submitted" / "alice" / A
    dest.mkdir(parents=True)
    h.nbformat.write(h.fill_release(release, solution), str(dest / f"{A}.ipynb"))
    monkeypatch.setenv("GRADING_BWRAP", "/nonexistent/bwrap")
    refused = h.grade_class(course, [A])
    assert refused.returncode != 0
    assert "bubblewrap" in refused.stderr and "--unsafe" in refused.stderr, refused.stderr
    assert not (course / "autograded").exists(), "something was graded without the sandbox"

    unsafe = h.grade_class(course, [A, "--unsafe", "--workers", "1"])
    assert unsafe.returncode == 0, unsafe.stderr
    assert "WITHOUT a sandbox" in unsafe.stderr
    assert h.read_scores(course, A, ["alice"])["alice"] == {
        "ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)
    }  # fmt: skip
    assert any("without the sandbox" in f for f in h.flags(course, A)["alice"])


def test_the_sandbox_sees_a_course_that_lives_under_tmp(tmp_path):
    """A course cloned under /tmp (`git clone . $(mktemp -d)`) keeps its venv and packages there:
    the sandbox's fresh /tmp must not hide them (binds go on top of the tmpfs, not beneath)."""
    from grading import sandbox

    try:
        sandbox.check_available()
    except sandbox.SandboxUnavailable as e:
        pytest.skip(str(e))
    course = tmp_path / "course" / "pkg"  # pytest's tmp_path lives under /tmp
    course.mkdir(parents=True)
    (course / "marker.txt").write_text("visible\n")
    argv = sandbox.sandbox_argv(["/bin/cat", str(course / "marker.txt")], binds=[str(course)])
    res = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and res.stdout == "visible\n", (res.returncode, res.stderr)
