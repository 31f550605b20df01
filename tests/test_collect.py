"""scripts/collect.py (make collect): LMS downloads -> submitted/<student>/<A>/<A>.ipynb.
Quick: no notebook is executed."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from tests import lab_harness as lh

collect = lh.load_script("collect")

A0, A3 = "00_why_offline_rl", "03_inspecting_rollouts"
KNOWN = collect.known_assignments(lh.REPO)


@pytest.mark.parametrize(
    "path, student, assignment, copy",
    [
        (f"Jane Smith_123456_assignsubmission_file_/{A3}.ipynb", "jane_smith", A3, False),
        (f"Jane Smith_123456_assignsubmission_file_{A3}.ipynb", "jane_smith", A3, False),
        (f"Zoë O'Brien_9_assignsubmission_file_/work/{A3} (2).ipynb", "zoe_obrien", A3, True),
        (f"José Núñez_7_assignsubmission_file_/{A3}-Copy1.ipynb", "jose_nunez", A3, True),
        (f"smithjane_12345_678901_{A3}.ipynb", "smithjane", A3, False),
        (f"smithjane_LATE_12345_678901_{A3}-1.ipynb", "smithjane", A3, False),
        (f"jane/{A3}.ipynb", "jane", A3, False),
        (f"submitted/jane/{A3}/{A3}.ipynb", "jane", A3, False),
        (f"jane_{A3}.ipynb", "jane", A3, False),
        (f"{A3}_jane.ipynb", "jane", A3, False),
        (f"Jane/{A0}-Copy1.ipynb", "jane", A0, True),
    ],
)  # fmt: skip
def test_lms_names(path, student, assignment, copy):
    got = collect.classify(path, KNOWN, None)
    assert got[:3] == (student, assignment, copy)


def test_names_without_a_lesson_or_a_learner():
    with pytest.raises(ValueError, match="names no lesson"):
        collect.classify("jane/homework.ipynb", KNOWN, None)
    assert collect.classify("jane/homework.ipynb", KNOWN, A0)[:2] == ("jane", A0)
    with pytest.raises(ValueError, match="no student"):
        collect.classify(f"{A0}.ipynb", KNOWN, None)


def _nb(answer: bool) -> bytes:
    rel = lh.REPO / "notebooks" / A0 / f"{A0}.ipynb"
    nb = json.loads(rel.read_text())
    if answer:
        for cell in nb["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                cell["source"] = "answer = 1"
    return json.dumps(nb).encode()


@pytest.fixture
def course(tmp_path):
    (tmp_path / "course" / "solutions" / A0).mkdir(parents=True)
    (tmp_path / "course" / "solutions" / A0 / f"{A0}.ipynb").write_bytes(_nb(False))
    return tmp_path / "course"


def test_duplicates_clashes_junk_and_reruns(course, tmp_path):
    dl = tmp_path / "download.zip"
    moodle = "_assignsubmission_file_"
    with zipfile.ZipFile(dl, "w") as z:
        z.writestr(f"Ada Lovelace_1{moodle}/{A0}.ipynb", _nb(True))
        # worked in the duplicate, uploaded both; the blank original is newer
        z.writestr(zipfile.ZipInfo(f"Grace Hopper_3{moodle}/{A0}.ipynb", (2026, 1, 2, 0, 0, 0)),
                   _nb(False))  # fmt: skip
        z.writestr(zipfile.ZipInfo(f"Grace Hopper_3{moodle}/{A0}-Copy1.ipynb", (2026, 1, 1, 0, 0, 0)),
                   _nb(True))  # fmt: skip
        # two answered files: the newer wins
        z.writestr(zipfile.ZipInfo(f"Alan Turing_4{moodle}/{A0}.ipynb", (2026, 1, 1, 0, 0, 0)),
                   _nb(True))  # fmt: skip
        z.writestr(zipfile.ZipInfo(f"Alan Turing_4{moodle}/{A0} (1).ipynb", (2026, 1, 3, 0, 0, 0)),
                   _nb(True).replace(b"answer = 1", b"answer = 2"))  # fmt: skip
        # two different learners called Sam Lee
        z.writestr(f"Sam Lee_5{moodle}/{A0}.ipynb", _nb(True))
        z.writestr(f"Sam Lee_6{moodle}/{A0}.ipynb", _nb(False))
        z.writestr(f"Bad Zip_7{moodle}/{A0}.ipynb", b"{not a notebook")
        z.writestr(f"__MACOSX/Ada Lovelace_1{moodle}/._{A0}.ipynb", b"\0")
        z.writestr("readme.txt", b"hello")
    report = collect.collect([dl], course)
    sub = course / "submitted"
    assert sorted(p.parent.parent.name for p in sub.glob("*/*/*.ipynb")) == [
        "ada_lovelace", "alan_turing", "grace_hopper"]  # fmt: skip
    grace = (sub / "grace_hopper" / A0 / f"{A0}.ipynb").read_bytes()
    assert grace == _nb(True)
    assert b"answer = 2" in (sub / "alan_turing" / A0 / f"{A0}.ipynb").read_bytes()
    assert len(report["new"]) == 3 and len(report["skipped"]) == 2
    errors = "\n".join(report["errors"])
    assert "sam_lee" in errors and "different learners" in errors
    assert "Bad Zip" in errors and "not a readable notebook" in errors
    assert "__MACOSX" not in errors and "readme" not in errors
    # a second download: unchanged files stay, a changed one is replaced
    again = collect.collect([dl], course)
    assert len(again["unchanged"]) == 3 and not again["new"] and not again["updated"]
    folder = tmp_path / "later"
    (folder / "ada").mkdir(parents=True)
    (folder / "ada" / f"{A0}.ipynb").write_bytes(_nb(False))
    os.utime(folder / "ada" / f"{A0}.ipynb")
    later = collect.collect([folder], course)
    assert later["new"] == [f"ada/{A0} <- ada/{A0}.ipynb"]  # "ada" is not "ada_lovelace"
    dry = collect.collect([folder], course, dry_run=True)
    assert dry["unchanged"] and not dry["new"]


def test_make_collect_usage(course):
    proc = lh.make(lh.REPO, "collect")
    assert proc.returncode != 0 and "usage: make collect FROM=" in proc.stdout + proc.stderr
