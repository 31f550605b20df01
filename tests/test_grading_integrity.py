"""Grading integrity: nbgrader scores what a learner's notebook really does, whatever else the
learner did to it.

One cheap lesson (LESSON), generated once in a temporary course and autograded in ONE
`nbgrader autograde` call whose students are the scenarios below. The course uses the repository's
nbgrader_config.py with one line appended: a per-cell timeout of TIMEOUT seconds instead of 240, so
the infinite loops cost seconds, not minutes.

=================  ==========================================================  ===================
student            what the learner did                                        expected scores
=================  ==========================================================  ===================
solution_1, _2     submitted correct answers (two runs of the same notebook)   full marks, equal
tests_rewritten    left the answers blank and rewrote every test cell to       0 on every cell,
                   `assert True`; some of those cells also unlocked, worth     with the original
                   100 points, or turned into markdown                         points
ungraded_test      left the answers blank and marked a test cell "not graded"  0 on every cell
                   (`grade: false`) after rewriting it to `assert True`
raises             a correct notebook whose first answer cell raises           0 on that exercise,
                                                                               the rest full
loops              a correct notebook, except: one answer's function never     0 on those two
                   returns (its test cell times out), another answer cell      exercises, the rest
                   loops at top level (the answer cell times out)              full
noisy              a correct notebook whose own cells write to stderr: print,  full marks, except
                   warnings.warn, logging, a tqdm bar; one answer's function   0 on the tests of
                   also warns each time the test cell calls it                 the warning answer,
                                                                               as validate says
kernelspec         a correct notebook claiming the kernel "python2"            full marks, graded
                                                                               with python3
=================  ==========================================================  ===================

Not here, because tests/test_lessons.py covers them: test cells replaced by `pass` plus a deleted
test cell (lesson 00), the blank release scoring 0, library warnings in a test cell (toy
assignment). Hard-coded answers (a function that returns the visible test's expected values) are
typical mistakes in tests/mistakes/<A>.py, checked by test_lessons.py for every lesson.

Measured with nbgrader 0.9.6 and deliberately not asserted here (nbgrader's behaviour, which a
config change may improve; a learner can only lose points by it, never gain):
* a learner's function that *prints* to stderr when a test cell calls it costs that test cell its
  points (nbgrader scores any stderr output in a test cell 0; the IgnorePattern of
  nbgrader_config.py only removes library notices, warnings.warn included);
* an infinite loop that swallows KeyboardInterrupt (`except BaseException` inside the loop) cannot
  be interrupted: nbclient then aborts the whole notebook and EVERY cell scores 0;
* `grade: false` on a test cell makes nbgrader reject the whole notebook ("Inconsistent
  checksums"), so a correct notebook would also score 0 everywhere (the ungraded_test case).

Cost: one generate + one autograde of 8 submissions, ~70 s on an idle 2-core machine (the loops
student alone waits 2 x TIMEOUT s).
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path

import pytest
from nbformat.v4 import new_markdown_cell

from tests import nbgrader_harness as h

# Lesson 01: ~5 s per submission, six exercises whose tests do not use each other's answers, so a
# broken answer must cost exactly its own exercise.
LESSON = "01_simulated_recommender"
RAISES = "ex1_answer"  # this answer cell raises
LOOPS_WHEN_CALLED = "ex2_answer"  # this answer's function never returns: its TEST cell times out
LOOPS_AT_TOP_LEVEL = "ex3_answer"  # this answer cell itself never finishes
WARNS_WHEN_CALLED = "ex2_answer"  # (noisy) this answer's function warns each time it is called
# Per-cell timeout for this course. The lesson's slowest cell takes ~1 s on a 2-core machine
# that is busy with other work (load 6), so 10 s leaves 10x headroom for the correct cells while
# keeping the two deliberate timeouts cheap.
TIMEOUT = 10

pytestmark = [
    pytest.mark.skipif(LESSON not in h.assignments(), reason=f"{LESSON} not in solutions/"),
    # with pytest-xdist (--dist loadgroup) the module's one autograde run stays on one worker
    pytest.mark.xdist_group("grading_integrity"),
]

# Noise a learner's own cells may make (each kind in its own answer cell, so that one output
# holds one kind: nbgrader's IgnorePattern drops a whole stderr output if any line matches).
NOISE = {
    "ex1_answer": "import sys\nprint('debugging output of my own', file=sys.stderr)\n",
    "ex3_answer": "import warnings\nwarnings.warn('a warning of my own')\n",
    "ex4_answer": "import logging\nlogging.getLogger('mine').warning('a log message of my own')\n",
    "ex5_answer": "from tqdm import tqdm\nfor _ in tqdm(range(3), desc='my own progress bar'):\n"
    "    pass\n",
}


# ---------------------------------------------------------------------------------------------
# Building the submissions
# ---------------------------------------------------------------------------------------------
def _tests_of(nb, answer_id: str) -> list[str]:
    """grade_ids of the test cells that grade `answer_id`: the grade cells after it, up to the
    next answer cell."""
    ids, started = [], False
    for cell in nb.cells:
        meta = h.nbgrader_meta(cell)
        if meta.get("solution"):
            if started:
                break
            started = meta.get("grade_id") == answer_id
        elif started and meta.get("grade"):
            ids.append(meta["grade_id"])
    assert ids, f"no test cell after {answer_id}"
    return ids


def _insert_in_function(source: str, code: str) -> str:
    """`code` (one statement) as the first statement of the function an answer cell defines."""
    m = re.search(r"^( +)### BEGIN SOLUTION", source, flags=re.M)
    assert m, "the answer is not a function body"
    return source[: m.start()] + f"{m.group(1)}{code}\n" + source[m.start() :]


def _tests_rewritten(release):
    """Blank answers; every test cell rewritten to `assert True`, some with their metadata changed
    too. nbgrader must restore them from the gradebook: only then does every cell score 0."""
    nb = copy.deepcopy(release)
    cells = h.grade_cells(nb)
    assert len(cells) >= 5, "the scenario needs five test cells"
    for cell in cells:
        cell.source = "assert True"
    cells[1].metadata.nbgrader["locked"] = False  # unlocked
    cells[2].metadata.nbgrader["points"] = 100  # worth more
    cells[3].metadata.nbgrader.update(locked=False, points=100)  # both
    markdown = new_markdown_cell("assert True", metadata=cells[4].metadata)  # not code any more
    if "id" in cells[4]:
        markdown["id"] = cells[4]["id"]
    nb.cells[nb.cells.index(cells[4])] = markdown
    return nb


def _ungraded_test(release):
    nb = copy.deepcopy(release)
    cell = h.grade_cells(nb)[0]
    cell.source = "assert True"
    cell.metadata.nbgrader["grade"] = False
    return nb


def _raises(filled):
    return h.with_cell_source(filled, RAISES, 'raise RuntimeError("I give up")\n')


def _loops(filled):
    nb = copy.deepcopy(filled)
    cell = h.cell_by_id(nb, LOOPS_WHEN_CALLED)
    cell.source = _insert_in_function(cell.source, "while True:  # never returns\n        pass")
    h.cell_by_id(nb, LOOPS_AT_TOP_LEVEL).source = "while True:\n    pass\n"
    return nb


def _noisy(filled):
    nb = copy.deepcopy(filled)
    for answer_id, code in NOISE.items():
        cell = h.cell_by_id(nb, answer_id)
        cell.source = cell.source.rstrip("\n") + "\n\n" + code
    cell = h.cell_by_id(nb, WARNS_WHEN_CALLED)
    # "always": the warning shows at every call, as at the test cell's (not once per line)
    cell.source = "import warnings\nwarnings.simplefilter('always')\n\n" + _insert_in_function(
        cell.source, "warnings.warn('called: a warning of my own')"
    )
    return nb


def _kernelspec(filled):
    nb = copy.deepcopy(filled)
    nb.metadata["kernelspec"] = dict(name="python2", display_name="Python 2", language="python")
    nb.metadata["language_info"] = {"name": "python", "version": "2.7.18"}
    return nb


# ---------------------------------------------------------------------------------------------
# One course, one autograde run
# ---------------------------------------------------------------------------------------------
class Graded:
    def __init__(self, course: Path, solution, scores: dict, submissions: dict):
        self.course, self.solution, self.scores = course, solution, scores
        self.submissions = submissions
        # max points of every test cell, from the instructor's notebook
        self.points = {
            h.nbgrader_meta(c)["grade_id"]: float(h.nbgrader_meta(c)["points"])
            for c in h.grade_cells(solution)
        }
        self.full = {gid: (p, p) for gid, p in self.points.items()}
        self.zero = {gid: (0.0, p) for gid, p in self.points.items()}

    def full_except(self, *answer_ids: str) -> dict:
        """Full marks except 0 on the test cells of these answers."""
        lost = {gid for a in answer_ids for gid in _tests_of(self.solution, a)}
        return {gid: ((0.0 if gid in lost else p), p) for gid, p in self.points.items()}

    def autograded(self, student: str):
        return h.autograded_notebook(self.course, LESSON, student)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    t0 = time.perf_counter()
    course = h.make_course(tmp_path_factory.mktemp("integrity") / "course", LESSON)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(f"\n# tests/test_grading_integrity.py: short timeout for the loops\n"
                f"c.Execute.timeout = {TIMEOUT}\n")  # fmt: skip
    t1 = time.perf_counter()
    solution = h.read(h.solution_path(LESSON))
    release = h.read(course / "notebooks" / LESSON / f"{LESSON}.ipynb")
    filled = h.fill_release(release, solution)  # what a learner with every answer right submits
    students = {
        "solution_1": filled,
        "solution_2": copy.deepcopy(filled),
        "tests_rewritten": _tests_rewritten(release),
        "ungraded_test": _ungraded_test(release),
        "raises": _raises(filled),
        "loops": _loops(filled),
        "noisy": _noisy(filled),
        "kernelspec": _kernelspec(filled),
    }
    scores = h.autograde(course, LESSON, students)
    h.TIMINGS.setdefault("grading integrity", {}).update(
        {"generate": t1 - t0, f"autograde x{len(students)}": time.perf_counter() - t1}
    )
    return Graded(course, solution, scores, students)


def _errors(nb, grade_id: str) -> list[str]:
    return [
        o.get("ename", "")
        for o in h.cell_by_id(nb, grade_id).get("outputs", [])
        if o.get("output_type") == "error"
    ]


def _stderr(nb, grade_id: str) -> str:
    return "".join(
        o.get("text", "")
        for o in h.cell_by_id(nb, grade_id).get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )


# ---------------------------------------------------------------------------------------------
# The scenarios
# ---------------------------------------------------------------------------------------------
def test_solution_scores_full_marks_on_every_run(graded):
    """No flaky hidden test: the same correct notebook, autograded twice, gets full marks twice
    (the noisy and kernelspec students below are two more correct notebooks with full marks)."""
    for student in ("solution_1", "solution_2"):
        assert graded.scores[student] == graded.full, f"{student}: {graded.scores[student]}"


def test_rewritten_test_cells_are_restored_with_their_points(graded):
    """`assert True` would pass every test: a score above 0 means nbgrader kept the learner's
    test cell; a max_score other than the instructor's means it kept the learner's points."""
    assert graded.scores["tests_rewritten"] == graded.zero, graded.scores["tests_rewritten"]
    nb = graded.autograded("tests_rewritten")
    for gid in graded.points:
        cell = h.cell_by_id(nb, gid)
        original = h.cell_by_id(graded.solution, gid).source
        assert cell.cell_type == "code" and cell.source == original, (
            f"{gid}: not restored to the instructor's test cell"
        )


def test_a_test_cell_marked_ungraded_earns_nothing(graded):
    """nbgrader refuses the notebook (its checksum cannot match again): every cell scores 0."""
    assert graded.scores["ungraded_test"] == graded.zero, graded.scores["ungraded_test"]


def test_an_answer_that_raises_costs_only_its_exercise(graded):
    assert graded.scores["raises"] == graded.full_except(RAISES), graded.scores["raises"]
    nb = graded.autograded("raises")
    assert "RuntimeError" in _errors(nb, RAISES), "the answer cell did not raise"


def test_infinite_loops_time_out_and_the_rest_is_graded(graded):
    expected = graded.full_except(LOOPS_WHEN_CALLED, LOOPS_AT_TOP_LEVEL)
    assert graded.scores["loops"] == expected, graded.scores["loops"]
    nb = graded.autograded("loops")
    # the zeros come from the timeouts, not from some other error
    for cell_id in _tests_of(graded.solution, LOOPS_WHEN_CALLED) + [LOOPS_AT_TOP_LEVEL]:
        assert "CellTimeoutError" in _errors(nb, cell_id), f"{cell_id}: no timeout recorded"


def test_noise_in_answer_cells_costs_nothing_a_warning_in_a_test_costs_as_in_validate(
    graded, tmp_path
):
    """Only test cells are scored: stderr in the learner's answer cells costs nothing. A warning
    the learner's own function raises while a test cell calls it is the learner's stderr in that
    test cell: it costs the cell, in autograde exactly as in `nbgrader validate` (which learners
    run before submitting), because library notices are told apart by their file, not dropped
    wholesale."""
    expected = graded.full_except(WARNS_WHEN_CALLED)
    assert graded.scores["noisy"] == expected, graded.scores["noisy"]
    # the noise really happened (outputs that match no library-notice pattern are kept)
    nb = graded.autograded("noisy")
    assert "debugging output of my own" in _stderr(nb, "ex1_answer")
    assert "a log message of my own" in _stderr(nb, "ex4_answer")
    for gid in _tests_of(graded.solution, WARNS_WHEN_CALLED):
        assert "a warning of my own" in _stderr(nb, gid), f"{gid}: the warning was dropped"
    # validate, as a learner runs it, fails the same cells and only those
    copy_ = tmp_path / LESSON / f"{LESSON}.ipynb"
    copy_.parent.mkdir()
    import nbformat

    nbformat.write(graded.submissions["noisy"], str(copy_))
    result = h.validate(copy_, course=graded.course)
    assert result.num_failed == len(_tests_of(graded.solution, WARNS_WHEN_CALLED)), (
        result.output[-2000:]
    )


def test_a_changed_kernelspec_is_graded_with_python3(graded):
    assert graded.scores["kernelspec"] == graded.full, graded.scores["kernelspec"]
    nb = graded.autograded("kernelspec")
    assert nb.metadata["kernelspec"]["name"] == "python3", nb.metadata["kernelspec"]


# ---------------------------------------------------------------------------------------------
# Every lesson: what grades the answers uses only seeded randomness (static, fast)
# ---------------------------------------------------------------------------------------------
# Sources of run-to-run variation a test or answer cell must not use: numpy's global random
# state, an unseeded Generator, seed=None, the random/secrets/uuid modules, wall-clock time,
# torch's global generator, hash() (salted per process for str).
UNSEEDED = re.compile(
    r"default_rng\(\s*\)"
    r"|\bseed\s*=\s*None\b"
    r"|\bnp\.random\.(?!default_rng\b|Generator\b|SeedSequence\b|PCG64\b)\w+\s*\("
    r"|(?<![\w.])random\.\w+\("
    r"|\bsecrets\.|\buuid\d?\b|\bos\.urandom\b"
    r"|\btime\.(?:time|perf_counter|monotonic|process_time)\("
    r"|\btorch\.(?:rand|randn|randint|randperm|multinomial|normal|bernoulli)\("
    r"|(?<![\w.])hash\("
)


@pytest.mark.parametrize("assignment", h.assignments())
def test_grading_uses_only_seeded_randomness(assignment):
    """A hidden test that draws unseeded random numbers (or reads the clock) can fail a correct
    answer on one run and pass it on the next. Checks every test cell and every instructor answer
    of the lesson (the answers feed the tests)."""
    nb = h.read(h.solution_path(assignment))
    found = [
        f"{h.nbgrader_meta(c)['grade_id']}: {line.strip()}"
        for c in h.grade_cells(nb) + h.solution_cells(nb)
        for line in c.source.splitlines()
        if UNSEEDED.search(line.split("#", 1)[0])
    ]
    assert not found, "unseeded randomness or wall-clock time in graded cells:\n" + "\n".join(found)
