"""Helpers to check lessons the way nbgrader grades them.

Everything happens in temporary directories given by the caller (pytest's tmp_path); nothing is
written into the repository. The release step is the one of scripts/release.py.

    from tests.nbgrader_harness import Mistake, make_course, autograde, validate, execute_notebook

    course = make_course(tmp_path / "course", "00_why_offline_rl")   # config + solutions + release
    scores = autograde(course, "00_why_offline_rl", {"alice": solution_nb, "bob": release_nb})
    scores["alice"]["ex1_test"]        # -> (score, max_score)
    validate(course / "notebooks/00_why_offline_rl/00_why_offline_rl.ipynb").ok

Typical mistakes of a lesson live in tests/mistakes/<A>.py as ``MISTAKES = [Mistake(...)]``.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

REPO = Path(__file__).resolve().parents[1]
#: seconds spent per lesson and step, filled by the tests, printed by conftest at the end
TIMINGS: dict[str, dict[str, float]] = {}
VENV_BIN = str(Path(sys.executable).parent)


def _ensure_venv_on_path() -> None:
    """nbgrader creates gradebooks by running the `alembic` executable: the interpreter's bin/
    must come first on PATH, for us and for every nbgrader subprocess."""
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if not parts or parts[0] != VENV_BIN:
        os.environ["PATH"] = os.pathsep.join([VENV_BIN] + [p for p in parts if p != VENV_BIN])


_ensure_venv_on_path()


def _load_release_module():
    path = REPO / "scripts" / "release.py"
    spec = importlib.util.spec_from_file_location("offrl_course_release", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


release = _load_release_module()  # scripts/release.py: the one release process


# ---------------------------------------------------------------------------------------------
# Typical mistakes
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer: replacing solution cell `cell` by `source` must score 0 on every
    grade cell in `loses`. `why` says what the learner got wrong.

    Unless `crashes=True` (the mistake *is* an exception, e.g. a wrong type), the replaced cell
    itself must run without error, so a typo in the mistake cannot make the check pass vacuously.
    """

    cell: str
    source: str
    loses: list[str] = field(default_factory=list)
    why: str = ""
    crashes: bool = False


    @property
    def checked(self) -> list[str]:
        return self.loses


@dataclass(frozen=True)
class Variant:
    """A right answer written differently (float32, a loop instead of vectorised code, another
    valid order of operations...): replacing solution cell `cell` by `source` must keep full
    marks on every grade cell in `keeps`. `why` says how it differs from the solution."""

    cell: str
    source: str
    keeps: list[str] = field(default_factory=list)
    why: str = ""

    @property
    def checked(self) -> list[str]:
        return self.keeps


def _load_list(folder: str, name: str, assignment: str, repo: Path) -> list:
    path = repo / "tests" / folder / f"{assignment}.py"
    if not path.is_file():
        return []
    spec = importlib.util.spec_from_file_location(f"tests.{folder}._{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(getattr(module, name))


def load_mistakes(assignment: str, repo: Path = REPO) -> list[Mistake]:
    """MISTAKES from tests/mistakes/<assignment>.py ([] if the file does not exist)."""
    return _load_list("mistakes", "MISTAKES", assignment, repo)


def load_variants(assignment: str, repo: Path = REPO) -> list[Variant]:
    """VARIANTS from tests/correct_variants/<assignment>.py ([] if the file does not exist)."""
    return _load_list("correct_variants", "VARIANTS", assignment, repo)


# ---------------------------------------------------------------------------------------------
# Notebooks and cells
# ---------------------------------------------------------------------------------------------
def assignments(repo: Path = REPO) -> list[str]:
    """Every assignment present in solutions/ (a folder holding <A>/<A>.ipynb)."""
    return release.find_assignments(repo)


def solution_path(assignment: str, repo: Path = REPO) -> Path:
    return repo / "solutions" / assignment / f"{assignment}.ipynb"


def release_path(assignment: str, repo: Path = REPO) -> Path:
    return repo / "notebooks" / assignment / f"{assignment}.ipynb"


def read(path: Path | str) -> NotebookNode:
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")]


def solution_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if nbgrader_meta(c).get("solution")]


def cell_by_id(nb: NotebookNode, grade_id: str) -> NotebookNode:
    matches = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id]
    if len(matches) != 1:
        raise KeyError(f"{len(matches)} cells with grade_id {grade_id!r}")
    return matches[0]


def with_cell_source(nb: NotebookNode, grade_id: str, source: str) -> NotebookNode:
    """A copy of `nb` whose cell `grade_id` has `source`."""
    new = copy.deepcopy(nb)
    cell_by_id(new, grade_id).source = source
    return new


def fill_release(release_nb: NotebookNode, solution_nb: NotebookNode) -> NotebookNode:
    """The release with every solution cell filled in from the solution notebook: what a learner
    who answered everything correctly submits."""
    new = copy.deepcopy(release_nb)
    for cell in solution_cells(new):
        cell.source = cell_by_id(solution_nb, nbgrader_meta(cell)["grade_id"]).source
    return new


def apply_mistake(
    release_nb: NotebookNode, solution_nb: NotebookNode, mistake: Mistake
) -> NotebookNode:
    """The correctly filled release with `mistake.cell` replaced by the mistake."""
    return with_cell_source(fill_release(release_nb, solution_nb), mistake.cell, mistake.source)


def library_notice_pattern(repo: Path = REPO) -> str:
    """The IgnorePattern regex of nbgrader_config.py (library warnings, logging, progress bars)."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(repo)).load_config()
    return cfg.IgnorePattern.pattern


def stdout_notices(nb: NotebookNode, pattern: str | None = None) -> list[tuple[int, str]]:
    """(cell index, text) of stdout stream outputs that look like library notices."""
    pattern = pattern or library_notice_pattern()
    return [
        (i, out.get("text", ""))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        and out.get("name") == "stdout"
        and re.search(pattern, out.get("text", ""))
    ]


# A number in prose: a decimal (29.56, 0.78) or a percentage (40 %, 6%). Integers are too common
# (step counts, lesson numbers) to check; a stated measurement has decimals or a percent sign.
_PROSE_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s?%|(?<![\w.^])(\d+\.\d+)(?![\w.])"
)
_ANY_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _output_text(cell: NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        data = out.get("data", {})
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in data:
                parts.append(data[mime] if isinstance(data[mime], str) else "".join(data[mime]))
    return "\n".join(parts)


def prose_numbers_not_shown(nb: NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, number, context) of every decimal or percentage stated in a markdown cell of
    the EXECUTED notebook `nb` that is neither written in a code cell (a parameter such as 0.2)
    nor printed by one: rounded to the prose's decimals, as itself, as a fraction (11 % of 0.11)
    or as a ratio's gain (11 % of 1.11). Stale claims left by retraining show up here."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    printed: set[float] = set()
    for c in nb.cells:
        if c.cell_type == "code":
            for m in _ANY_NUMBER.finditer(_output_text(c) + "\n" + c.source):
                try:
                    printed.add(float(m.group()))
                except ValueError:
                    pass

    def shown(text: str, percent: bool) -> bool:
        if re.search(rf"(?<![\w.]){re.escape(text)}(?![\d])", code):
            return True
        x = float(text)
        d = len(text.split(".")[1]) if "." in text else 0
        tol = 0.5 * 10 ** -d + 1e-12
        candidates = [(y, 1.0) for y in printed]
        if percent:
            candidates += [(100 * y, 1.0) for y in printed] + [(100 * (y - 1), 1.0) for y in printed]
            candidates += [(100 * (1 - y), 1.0) for y in printed]
        return any(abs(abs(y) - x) <= tol * scale for y, scale in candidates)

    missing = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != "markdown":
            continue
        text = re.sub(r"\$[^$]*\$", " ", c.source)  # maths: symbols, not measurements
        text = re.sub(r"`[^`]*`", " ", text)  # inline code: names and arguments
        for m in _PROSE_NUMBER.finditer(text):
            number, percent = (m.group(1), True) if m.group(1) else (m.group(2), False)
            if not shown(number, percent):
                ctx = text[max(0, m.start() - 50) : m.end() + 30].replace("\n", " ")
                missing.append((i, number + ("%" if percent else ""), ctx))
    return missing


def stderr_outputs(nb: NotebookNode) -> list[tuple[int, str]]:
    """(cell index, text) of every stderr stream output."""
    return [
        (i, out.get("text", ""))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    ]


def error_outputs(nb: NotebookNode) -> list[tuple[int, str]]:
    """(cell index, 'Ename: evalue') of every error output."""
    return [
        (i, f"{out.get('ename')}: {out.get('evalue')}")
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


# ---------------------------------------------------------------------------------------------
# (a) execute with nbclient
# ---------------------------------------------------------------------------------------------
def execute_notebook(
    nb: NotebookNode | Path | str,
    workdir: Path | str | None = None,
    timeout: int = 240,
    allow_errors: bool = False,
) -> NotebookNode:
    """Execute a copy of `nb` with nbclient (kernel python3 of this interpreter) with `workdir`
    as the kernel's working directory (a fresh temporary directory if None: never the repo), and
    return the executed notebook. Raises nbclient's CellExecutionError on the first error unless
    allow_errors. `timeout` is per cell, as in nbgrader_config.py."""
    from nbclient import NotebookClient

    nb = read(nb) if isinstance(nb, (str, Path)) else copy.deepcopy(nb)
    with tempfile.TemporaryDirectory(prefix="nbexec-") as tmp:
        cwd = str(workdir) if workdir is not None else tmp
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=allow_errors,
            resources={"metadata": {"path": cwd}},
        )
        client.execute()
    return nb


@dataclass
class KernelRun:
    """One lesson executed in one kernel: the executed solution, and per mistake which of its
    `loses` test cells lost their points (error or stderr output, as nbgrader scores them) and
    the error the mistaken cell itself raised (None if it ran); the same per correct variant
    (`variant_failed`: which of its `keeps` cells failed, `variant_errors`)."""

    executed: NotebookNode
    lost: list[dict[str, bool]]
    cell_errors: list[str | None]
    seconds: float
    variant_failed: list[dict[str, bool]] = field(default_factory=list)
    variant_errors: list[str | None] = field(default_factory=list)


def _failed(cell: NotebookNode) -> bool:
    return any(
        o.get("output_type") == "error"
        or (o.get("output_type") == "stream" and o.get("name") == "stderr")
        for o in cell.get("outputs", [])
    )


def _error_text(cell: NotebookNode) -> str | None:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return f"{o.get('ename')}: {o.get('evalue')}"
    return None


def run_with_mistakes(
    nb: NotebookNode | Path | str,
    mistakes: list[Mistake],
    workdir: Path | str,
    timeout: int = 240,
    variants: list[Variant] = (),
) -> KernelRun:
    """Execute the solution `nb` top to bottom in one kernel (the clean run, returned as
    `executed`), then check every mistake in a second kernel that runs the notebook again and,
    right after a mistake's last `loses` test cell has run, re-runs the span from the mistaken
    solution cell to that test cell with the mistake (recording which test cells fail), then
    with the original cells (which must pass again: otherwise the check could not tell a wrong
    answer from a right one, e.g. because a later cell deleted files the tests read) before
    going on. Solution notebooks hold the hidden tests, so this is what autograde scores.
    Correct `variants` are checked the same way, on their `keeps` cells.

    This costs two notebook runs plus a few cells per mistake instead of one full autograde run
    per mistake; tests/test_lessons.py still autogrades one mistake per lesson with nbgrader
    itself, to show that the real pipeline scores them the same way.
    """
    import time

    from nbclient import NotebookClient

    t0 = time.perf_counter()
    source = read(nb) if isinstance(nb, (str, Path)) else copy.deepcopy(nb)

    def client_for(notebook):
        return NotebookClient(
            notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": str(workdir)}},
        )  # fmt: skip

    executed = copy.deepcopy(source)
    client_for(executed).execute()

    nb = copy.deepcopy(source)
    client = client_for(nb)
    index = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(nb.cells)}
    originals = [c.source for c in nb.cells]
    trials = list(mistakes) + list(variants)
    lost: list = [None] * len(trials)
    cell_errors: list = [None] * len(trials)
    due: dict[int, list[int]] = {}
    for k, m in enumerate(trials):
        due.setdefault(max(index[g] for g in m.checked), []).append(k)

    def run(i: int, src: str) -> NotebookNode:
        cell = copy.deepcopy(nb.cells[i])
        cell.source, cell.outputs = src, []
        client.execute_cell(cell, i)
        return cell

    if trials:
        with client.setup_kernel():
            for i, cell in enumerate(nb.cells):
                if cell.cell_type == "code":
                    client.execute_cell(cell, i)
                for k in due.get(i, []):
                    m = trials[k]
                    first = index[m.cell]
                    span = [j for j in range(first, i + 1) if nb.cells[j].cell_type == "code"]
                    ran = {j: run(j, m.source if j == first else originals[j]) for j in span}
                    lost[k] = {g: _failed(ran[index[g]]) for g in m.checked}
                    cell_errors[k] = _error_text(ran[first])
                    restored = {j: run(j, originals[j]) for j in span}
                    broken = [g for g in m.checked if _failed(restored[index[g]])]
                    if broken:
                        raise RuntimeError(
                            f"after checking {m.why!r}, the correct solution fails "
                            f"{broken} when re-run: the notebook's state cannot be restored, so "
                            "the mistake check would prove nothing"
                        )
    n = len(mistakes)
    return KernelRun(
        executed, lost[:n], cell_errors[:n], time.perf_counter() - t0, lost[n:], cell_errors[n:]
    )


# ---------------------------------------------------------------------------------------------
# (b) a temporary course directory
# ---------------------------------------------------------------------------------------------
def make_course(course: Path, assignments_: str | list[str], repo: Path = REPO) -> Path:
    """Build a course at `course` (the repo's nbgrader_config.py + solutions/<A>/) and generate
    the release of each assignment there (which also registers it in course/gradebook.db).
    Returns `course`; the release is course/notebooks/<A>/<A>.ipynb."""
    names = [assignments_] if isinstance(assignments_, str) else list(assignments_)
    release.make_course(Path(course), names, repo)
    for a in names:
        release.generate(Path(course), a)
    return Path(course)


def run_nbgrader_unchecked(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """`python -m nbgrader ARGS` in `course`, whatever its exit status (autograde exits 1 when one
    submission of many could not be graded)."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course, env=release.nbgrader_env(), capture_output=True, text=True,
    )  # fmt: skip


def run_nbgrader(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """`python -m nbgrader ARGS` in `course`; raises RuntimeError with the log on failure."""
    return release.run_nbgrader(args, Path(course))


# ---------------------------------------------------------------------------------------------
# (c) autograde submissions
# ---------------------------------------------------------------------------------------------
Scores = dict[str, dict[str, tuple[float, float]]]


def autograde(
    course: Path,
    assignment: str,
    submissions: dict[str, NotebookNode],
    workers: int = 2,
    extra_args: tuple[str, ...] = (),
) -> Scores:
    """Write each notebook to course/submitted/<student>/<A>/<A>.ipynb, grade them all with ONE
    `python -m grading grade A --force` (what `make grade` runs: each submission sandboxed, in
    parallel on Ray, scored by nbgrader) and return {student: {grade_id: (score, max_score)}}
    read from course/gradebook.db. `flags(course, A)` has the review flags."""
    course = Path(course)
    for student, nb in submissions.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]+", student):
            raise ValueError(f"student id {student!r}: use letters, digits, _ and -")
        dest = course / "submitted" / student / assignment
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest / f"{assignment}.ipynb"))
    proc = grade_class(course, [assignment, "--force", "--workers", str(workers), *extra_args])
    try:
        scores = read_scores(course, assignment, list(submissions))
    except Exception as e:
        raise RuntimeError(
            f"grading {assignment} (exit {proc.returncode}) left no scores for a "
            f"submission ({e}); its log:\n{proc.stdout}\n{proc.stderr}"
        ) from None
    missing = [s for s, cells in scores.items() if not cells]
    if missing:
        raise RuntimeError(
            f"grading {assignment} graded no cells of {missing}; its log:\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return scores


def grade_class(course: Path, args: list[str], timeout: float | None = None):
    """`python -m grading grade ARGS --root COURSE` (make grade), output captured."""
    return subprocess.run(
        [sys.executable, "-m", "grading", "grade", *args, "--root", str(course)],
        cwd=course,
        env=release.nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def flags(course: Path, assignment: str) -> dict[str, list[str]]:
    """{student: review flags} from the last grading run."""
    import json

    state = json.loads((Path(course) / ".grading" / "state.json").read_text())
    prefix = f"{assignment}/"
    return {k[len(prefix):]: v["flags"] for k, v in state.items() if k.startswith(prefix)}


def read_scores(course: Path, assignment: str, students: list[str]) -> Scores:
    from nbgrader.api import Gradebook

    url = f"sqlite:///{Path(course).resolve() / 'gradebook.db'}"
    out: Scores = {}
    with Gradebook(url) as gb:
        for student in students:
            sub = gb.find_submission_notebook(assignment, assignment, student)
            out[student] = {g.name: (float(g.score), float(g.max_score)) for g in sub.grades}
    return out


def autograded_notebook(course: Path, assignment: str, student: str) -> NotebookNode:
    """The executed notebook nbgrader wrote to autograded/<student>/<A>/."""
    return read(Path(course) / "autograded" / student / assignment / f"{assignment}.ipynb")


# ---------------------------------------------------------------------------------------------
# (d) nbgrader validate
# ---------------------------------------------------------------------------------------------
@dataclass
class ValidateResult:
    ok: bool  # "Success! ..." printed and nothing failed or changed
    num_failed: int  # from "VALIDATION FAILED ON N CELL(S)" (or "PASSED ON N" with invert)
    changed: bool  # "THE CONTENTS OF N TEST CELL(S) HAVE CHANGED" / cell types changed
    output: str  # stdout + stderr, for assertion messages


def validate(
    notebook: Path | str, course: Path | None = None, invert: bool = False
) -> ValidateResult:
    """Run `nbgrader validate [--invert] NOTEBOOK` (from `course`, so its nbgrader_config.py
    applies; default: a fresh course holding only the repo's config) and parse what it prints:
    its exit status is 0 even when tests fail."""
    with tempfile.TemporaryDirectory(prefix="nbvalidate-") as tmp:
        if course is None:
            course = Path(tmp)
            release.make_course(course, [])
        args = ["validate", str(Path(notebook).resolve())] + (["--invert"] if invert else [])
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=course,
            env=release.nbgrader_env(),
            capture_output=True,
            text=True,
        )
    text = proc.stdout + proc.stderr
    m = re.search(r"VALIDATION FAILED ON (\d+) CELL", text) or re.search(
        r"NOTEBOOK PASSED ON (\d+) CELL", text
    )
    num_failed = int(m.group(1)) if m else 0
    changed = bool(re.search(r"HAVE CHANGED|has changed to a", text))
    success = "Success! Your notebook passes all the tests." if not invert else (
        "Success! The notebook does not pass any tests."
    )
    ok = proc.returncode == 0 and success in text and num_failed == 0 and not changed
    return ValidateResult(ok=ok, num_failed=num_failed, changed=changed, output=text)


# ---------------------------------------------------------------------------------------------
# Per-lesson runs shared by the test files (the session fixtures are in tests/conftest.py)
# ---------------------------------------------------------------------------------------------
# The tamper check (edited and deleted test cells) tests the course config, not a lesson: it
# runs on one cheap lesson only.
TAMPER_LESSON = "00_why_offline_rl"
LEFTOVERS: dict[str, list[str]] = {}  # files each solution run left in its working directory


def time_step(lesson: str, step: str, seconds: float) -> None:
    TIMINGS.setdefault(lesson, {})[step] = TIMINGS.get(lesson, {}).get(step, 0.0) + seconds


@dataclass
class LessonRun:
    """One lesson's temporary nbgrader course and the scores of its autograded students."""

    assignment: str
    course: Path
    solution: object  # NotebookNode
    release: object
    mistakes: list
    scores: dict = field(default_factory=dict)
    error: BaseException | None = None

    def student_of(self, index: int) -> str:
        return f"mistake_{index:02d}"


def tampered(release_nb: NotebookNode, solution_nb: NotebookNode) -> NotebookNode:
    """A correct submission whose first test cell was deleted and whose other test cells were
    replaced by `pass`: nbgrader must restore them (checksums + add_missing_cells)."""
    nb = fill_release(release_nb, solution_nb)
    tests = grade_cells(nb)
    for cell in tests[1:]:
        cell.source = "pass"
    nb.cells = [c for c in nb.cells if c is not tests[0]]
    return nb


def build_lesson_run(assignment: str, tmp: Path) -> LessonRun:
    """Generate the lesson in a temporary course and autograde, in ONE nbgrader call, the
    solution, the blank release, the first typical mistake (and the tampered submission on
    TAMPER_LESSON)."""
    import time

    t0 = time.perf_counter()
    course = make_course(tmp / "course", assignment)
    time_step(assignment, "generate", time.perf_counter() - t0)
    solution = read(solution_path(assignment))
    release_nb = read(course / "notebooks" / assignment / f"{assignment}.ipynb")
    run = LessonRun(assignment, course, solution, release_nb, load_mistakes(assignment))
    students = {"solution": solution, "release": release_nb}
    if assignment == TAMPER_LESSON:
        students["tampered"] = tampered(release_nb, solution)
    if run.mistakes:  # one mistake through nbgrader itself; all of them in-kernel
        students[run.student_of(0)] = apply_mistake(release_nb, solution, run.mistakes[0])
    t0 = time.perf_counter()
    run.scores = autograde(course, assignment, students)
    time_step(assignment, f"autograde x{len(students)}", time.perf_counter() - t0)
    return run
