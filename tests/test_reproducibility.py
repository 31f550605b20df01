"""Reproducibility: every lesson prints the same numbers (and draws the same figures) on two runs
with the same seeds.

Nothing is executed for this check. The two runs are the ones tests/test_lessons.py makes anyway:

1. its `kernel_run`: the solution notebook executed top to bottom with nbclient, in a temporary
   working directory;
2. its `lesson_run`: the same solution autograded by nbgrader as the student "solution"
   (course/autograded/solution/<A>/<A>.ipynb), in another process, another working directory,
   with NBGRADER_EXECUTION=autograde.

Both are session fixtures in tests/conftest.py, shared with test_lessons.py, so each lesson is
executed and autograded once per session whichever files run.

Compared, code cell by code cell: all stdout text of the cell (joined: how ipykernel splits it into
stream messages depends on timing), the text/plain of every result and display in order, every
PNG image byte for byte, every error's name and message. Not compared: stderr (nbgrader's
IgnorePattern removes library notices from the autograded copy by design, and
test_lessons.py::test_solution_runs_clean already requires the solution to write none), other
MIME types (HTML tables repeat their text/plain; widget JSON holds random model ids).

Normalised before comparing, and nothing else:

* the first path component inside the system temporary directory (`/tmp/offrl-lesson02-u8os61ba`
  -> `<tmp>`): tempfile.TemporaryDirectory's random names;
* a wall-clock duration printed as "in <number> s" (lesson 04: "BC trained in 14 s");
* the text of a tqdm progress bar ("0%|          | 0/20 [00:00<?, ?it/s]");
* memory addresses in default object reprs ("<object at 0x7f3a2c>").

Cells that nbgrader deliberately does not run are listed in SKIPPED_WHEN_GRADED: lesson 02 skips
its RLlib recording section under NBGRADER_EXECUTION (a Ray start-up per submission). Those cells
must have no output in the autograded run and are not compared. (Run twice by hand, that section
printed the same numbers; only Ray Data's file names and RLlib's episode uuids differed.)
"""

from __future__ import annotations

import hashlib
import re
import tempfile

import pytest

from tests import nbgrader_harness as h

ASSIGNMENTS = h.assignments()
LESSONS = [pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS]

# assignment -> a name in the source of every cell that the lesson skips under nbgrader
SKIPPED_WHEN_GRADED = {"02_logging_data": "RUN_RLLIB"}

NORMALISE = [
    (re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^/\s'\":]+"), "<tmp>"),
    (re.compile(r"\bin \d+(?:\.\d+)? ?s\b"), "in <t> s"),
    (re.compile(r"\d{1,3}%\|[^|\n]*\|[^\n\[]*\[[^\]\n]*\]"), "<progress bar>"),
    (re.compile(r" at 0x[0-9a-fA-F]+>"), " at 0x?>"),
]

pytestmark = pytest.mark.skipif(not ASSIGNMENTS, reason="no assignments in solutions/ yet")


# ---------------------------------------------------------------------------------------------
# The two runs
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def runs(kernel_run, lesson_run):
    """(executed, autograded) solution notebooks of a lesson: the session's shared runs."""

    def get(a: str):
        return kernel_run(a).executed, h.autograded_notebook(lesson_run(a).course, a, "solution")

    return get


# ---------------------------------------------------------------------------------------------
# What is compared
# ---------------------------------------------------------------------------------------------
def normalise(text: str) -> str:
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


def printed(cell) -> dict:
    """What a code cell showed, normalised: its stdout, its results/displays in order (text/plain,
    sha256 of PNGs) and its errors."""
    stdout, shown, errors = [], [], []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stdout":
            stdout.append(out.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            png = data.get("image/png")
            shown.append(
                (
                    normalise(data.get("text/plain", "")),
                    hashlib.sha256(png.encode()).hexdigest()[:16] if png else None,
                )
            )
        elif kind == "error":
            errors.append(normalise(f"{out.get('ename')}: {out.get('evalue')}"))
    return {"stdout": normalise("".join(stdout)), "shown": shown, "errors": errors}


def _first_difference(a: str, b: str) -> str:
    la, lb = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i + 1}:\n  run 1: {x[:300]}\n  run 2: {y[:300]}"
    return f"run 1 has {len(la)} lines, run 2 has {len(lb)}"


# ---------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", LESSONS)
def test_printed_numbers_are_the_same_on_two_runs(assignment, runs):
    first, second = runs(assignment)
    assert [c.source for c in first.cells] == [c.source for c in second.cells], (
        "the autograded notebook's cells differ from the solution's: nbgrader changed the notebook"
    )
    marker = SKIPPED_WHEN_GRADED.get(assignment)
    differ, skipped_with_output = [], 0
    for i, (c1, c2) in enumerate(zip(first.cells, second.cells)):
        if c1.cell_type != "code":
            continue
        if marker and marker in c1.source:
            assert not c2.get("outputs"), (
                f"cell {i} ({marker}) has output when autograded: the section is meant to be "
                "skipped under nbgrader"
            )
            skipped_with_output += bool(c1.get("outputs"))
            continue
        p1, p2 = printed(c1), printed(c2)
        if p1 == p2:
            continue
        where = f"cell {i} ({h.nbgrader_meta(c1).get('grade_id') or c1.source[:60]!r})"
        if p1["stdout"] != p2["stdout"]:
            differ.append(f"{where}, stdout {_first_difference(p1['stdout'], p2['stdout'])}")
        if len(p1["shown"]) != len(p2["shown"]):
            differ.append(f"{where}: {len(p1['shown'])} vs {len(p2['shown'])} results/figures")
        for k, ((text1, png1), (text2, png2)) in enumerate(zip(p1["shown"], p2["shown"])):
            if text1 != text2:
                differ.append(f"{where}, result {k + 1} {_first_difference(text1, text2)}")
            if png1 != png2:
                differ.append(f"{where}, result {k + 1}: the figures differ")
        if p1["errors"] != p2["errors"]:
            differ.append(f"{where}, errors: run 1 {p1['errors']}, run 2 {p2['errors']}")
    if marker:
        assert skipped_with_output, (
            f"no cell mentioning {marker} printed anything in the normal run: is "
            "SKIPPED_WHEN_GRADED still right?"
        )
    assert not differ, (
        "two runs with the same seeds printed different things (run 1: nbclient, run 2: nbgrader "
        "autograde). Seed every random draw; if a difference is legitimate (a time, a random file "
        "name), print it differently or extend NORMALISE narrowly; if nbgrader skips the cell on "
        "purpose, list it in SKIPPED_WHEN_GRADED.\n" + "\n".join(differ)
    )
