"""The learner edition (`make learner-edition DEST=...`): everything a learner needs and nothing of
the answer key, and its own two commands (`make check`, `make lab`) work from a fresh copy.

Built once from a fresh copy of this course with the course's Makefile; then copied again, as a
learner would download it, with a new virtualenv (seeded with the course's installed packages to
save a 2 GB download; see lab_harness.seed_edition_venv) in which the edition's own Makefile
installs the edition's offrl.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest

from tests import lab_harness as lh

REPO = lh.REPO
le = lh.load_script("learner_edition")

LESSONS = sorted(
    p.name for p in (REPO / "solutions").iterdir() if (p / f"{p.name}.ipynb").is_file()
)
FAST = "00_why_offline_rl"  # the quick lesson the commands are run on


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(clone, edition folder) made by `make learner-edition DEST=...` in a fresh clone."""
    tmp = tmp_path_factory.mktemp("edition")
    clone = lh.fresh_clone(tmp / "course")
    dest = tmp / "learners"
    # NO_CHECK=1: that notebooks/ is current is tests/test_lessons.py's job (and the refusal of
    # a stale one is tested below on one lesson), each check regenerating every lesson
    proc = lh.make(clone, "learner-edition", f"DEST={dest}", "NO_CHECK=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "learner edition written to" in proc.stdout
    return clone, dest


def test_edition_holds_what_learners_need_and_no_instructor_files(built):
    clone, ed = built
    top = sorted(p.name for p in ed.iterdir())
    assert top == sorted([
        ".gitignore", ".jupyter", ".learner-edition", "Makefile", "README.md", "data", "img",
        "nbgrader_config.py", "notebooks", "offrl", "pyproject.toml", "requirements.txt", "scripts",
    ])  # fmt: skip
    assert sorted(p.name for p in (ed / "scripts").iterdir()) == ["check.py"]
    assert sorted(p.name for p in (ed / ".jupyter").iterdir()) == ["learner"]
    for folder in ("notebooks", "data", "img"):  # the committed release and data, byte for byte
        ours = sorted(
            p.relative_to(REPO / folder) for p in (REPO / folder).rglob("*") if p.is_file()
        )
        theirs = sorted(p.relative_to(ed / folder) for p in (ed / folder).rglob("*") if p.is_file())
        assert theirs == ours, folder
        assert all((ed / folder / p).read_bytes() == (REPO / folder / p).read_bytes() for p in ours)
    assert sorted(p.name for p in (ed / "offrl").glob("*.py")) == sorted(
        p.name for p in (REPO / "offrl").glob("*.py")
    )
    for name in ("solutions", "tests", "grading", "benchmarks", "gradebook.db", "submitted"):
        assert not list(ed.rglob(name)), f"{name} in the learner edition"
    pyproject = (ed / "pyproject.toml").read_text()
    assert 'packages = ["offrl"]' in pyproject and "grading" not in pyproject
    reqs = (ed / "requirements.txt").read_text()
    assert "nbgrader==" in reqs and "-e ." in reqs
    assert "pytest" not in reqs and "playwright" not in reqs
    readme = (ed / "README.md").read_text()
    assert "make lab" in readme and "make check" in readme and "{lessons}" not in readme
    for lesson in LESSONS:
        assert f"notebooks/{lesson}/{lesson}.ipynb" in readme, lesson
    makefile = (ed / "Makefile").read_text()
    assert "lab:" in makefile and "check:" in makefile
    assert "grade:" not in makefile and "teach" not in makefile


def test_no_solution_or_hidden_test_anywhere_in_the_edition(built, tmp_path):
    _, ed = built
    key = le.answer_key(REPO)
    # the key is complete: every solution cell of every lesson is in it, and every text in it is
    # found in its own solution notebook (so the scan below can see what it looks for)
    solution_cells = [
        (nb.stem, c["metadata"]["nbgrader"]["grade_id"])
        for nb in sorted((REPO / "solutions").glob("*/*.ipynb"))
        for c in json.loads(nb.read_text())["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
    ]
    keyed = {tuple(where.split(":")) for where, _ in key if "hidden" not in where}
    assert set(solution_cells) <= keyed, set(solution_cells) - keyed
    assert sum("hidden" in where for where, _ in key) > 100
    for lesson in LESSONS:
        own = [k for k in key if k[0].startswith(lesson + ":")]
        nb = REPO / "solutions" / lesson / f"{lesson}.ipynb"
        assert len(le.find_leaks(nb, own)) == len(own), lesson
    # and none of it is in the edition, nor in the zip an LMS would get
    assert le.find_leaks(ed, key) == []
    for path in ed.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"BEGIN HIDDEN TESTS" not in data and b"### BEGIN SOLUTION" not in data, path
    zipped = le.build(tmp_path / "offline-rl-course.zip", REPO, check=False)
    with zipfile.ZipFile(zipped) as z:
        names = z.namelist()
        z.extractall(tmp_path / "unzipped")
    assert all(n.startswith("offline-rl-course/") for n in names)
    assert "offline-rl-course/notebooks/00_why_offline_rl/00_why_offline_rl.ipynb" in names
    assert le.find_leaks(tmp_path / "unzipped", key) == []


def test_a_leak_is_refused(tmp_path):
    """The script's own scan: a solution notebook slipped into the edition aborts the build."""
    fake = lh.fresh_clone(tmp_path / "course")
    shutil.copy2(REPO / "solutions" / FAST / f"{FAST}.ipynb", fake / "img" / "oops.ipynb")
    with pytest.raises(SystemExit, match="answer key found"):
        le.build(tmp_path / "out", fake, check=False)
    assert not (tmp_path / "out").exists()


def test_a_stale_release_is_refused(tmp_path):
    fake = lh.fresh_clone(tmp_path / "course")
    for folder in ("solutions", "notebooks"):  # one lesson keeps this quick
        for lesson in LESSONS:
            if lesson != FAST:
                shutil.rmtree(fake / folder / lesson)
    nb = fake / "notebooks" / FAST / f"{FAST}.ipynb"
    doc = json.loads(nb.read_text())
    doc["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "edited by hand"})
    nb.write_text(json.dumps(doc))
    with pytest.raises(SystemExit, match="out of date.*make release"):
        le.build(tmp_path / "out", fake, check=True)
    assert not (tmp_path / "out").exists()


def test_rebuild_keeps_git_and_refuses_foreign_folders(tmp_path):
    dest = tmp_path / "learners"
    le.build(dest, REPO, check=False)
    (dest / ".git").mkdir()
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (dest / "stale.txt").write_text("from an older edition")
    le.build(dest, REPO, check=False)
    assert (dest / ".git" / "HEAD").is_file() and not (dest / "stale.txt").exists()
    foreign = tmp_path / "my-documents"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(SystemExit, match="neither empty nor a previous learner edition"):
        le.build(foreign, REPO, check=False)
    assert (foreign / "thesis.tex").read_text() == "precious"


# ---------------------------------------------------------------------------------------------
# The edition's own commands, from a fresh copy with its own virtualenv
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def learner_copy(built, tmp_path_factory):
    """A copy of the edition as a learner has it, after the first `make` set up its .venv."""
    _, ed = built
    copy = tmp_path_factory.mktemp("learner") / "offline-rl-course"
    shutil.copytree(ed, copy)
    lh.seed_edition_venv(copy)
    proc = lh.make(copy, "venv", use_this_venv=False, env=lh.learner_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    py = copy / ".venv" / "bin" / "python"
    probe = subprocess.run(
        [str(py), "-c", "import importlib.util as u, offrl; print(offrl.__file__); "
         "print(u.find_spec('grading') is None)"],
        cwd=copy, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert probe == [str(copy / "offrl" / "__init__.py"), "True"], (
        probe
    )  # its own offrl, no grading
    return copy


def test_make_check_validates_every_notebook(learner_copy):
    copy = learner_copy
    solution = json.loads((REPO / "solutions" / FAST / f"{FAST}.ipynb").read_text())
    mine = copy / "notebooks" / FAST / f"{FAST}.ipynb"
    released = json.loads(mine.read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in solution["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}  # fmt: skip
    for cell in released["cells"]:  # the learner answers every exercise of lesson 00
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    mine.write_text(json.dumps(released, indent=1, ensure_ascii=False) + "\n")
    # "every notebook" is every lesson folder: keep two here (lesson 00 answered, lesson 01
    # untouched) so the test does not spend minutes training MARWIL in lessons 02 and 04
    for lesson in LESSONS:
        if lesson not in (FAST, "01_simulated_recommender"):
            shutil.rmtree(copy / "notebooks" / lesson)
    proc = lh.make(copy, "check", use_this_venv=False, timeout=600, env=lh.learner_env())
    out = proc.stdout
    assert proc.returncode != 0, out  # lesson 01 is not done yet
    assert re.search(rf"^{FAST}\s+PASS$", out, re.M), out
    assert re.search(r"^01_simulated_recommender\s+FAIL\s+\d+ test cell\(s\) fail", out, re.M), out
    proc = lh.make(
        copy, "check", f"A={FAST}", use_this_venv=False, timeout=600, env=lh.learner_env()
    )
    assert proc.returncode == 0 and "PASS" in proc.stdout, proc.stdout + proc.stderr


def test_make_lab_serves_the_lessons_with_learner_tools_only(learner_copy, tmp_path):
    copy = learner_copy
    port = lh.free_port()
    lab = lh.start_lab(
        ["make", "lab", f"PORT={port}"], copy, tmp_path / "lab.log",
        env=lh.learner_env(),
    )  # fmt: skip
    try:
        assert lab.port == port
        status, body = lab.get("/api/contents")
        assert status == 200
        names = sorted(item["name"] for item in json.loads(body)["content"])
        assert names == sorted(
            p.name for p in (copy / "notebooks").iterdir()
        )  # opens on the lessons
        disabled = lab.page_config()["disabledExtensions"]
        for plugin in ("formgrader", "create-assignment", "assignment-list", "course-list"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled, disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        assert lab.get("/formgrader")[0] == 404  # the server extension is not loaded either
    finally:
        log = lab.stop()
    assert lab.url in log  # the URL with its token is printed for the learner
    assert lab.proc.returncode is not None
