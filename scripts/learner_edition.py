"""Write the learner edition: the course as learners get it, without the answer key.

    python scripts/learner_edition.py DEST          # a folder (make learner-edition DEST=...)
    python scripts/learner_edition.py DEST.zip      # a zip for a learning platform

The edition holds the student release (notebooks/), data/, img/, the helper package offrl/, its
own requirements.txt and pyproject.toml (no instructor packages), nbgrader_config.py (without the
`grading` package it only serves `nbgrader validate`), the learners' Makefile (`make lab`,
`make check`), scripts/check.py, the learner Lab's settings (.jupyter/learner/) and a README for
learners. It holds nothing of the answer key: no solutions/, no hidden tests, no tests/, no
grading/, no gradebook, no instructor scripts.

Publishing: to a separate repository, build into a clone of it and commit
(`make learner-edition DEST=../offline-rl-course`, then `git -C ../offline-rl-course add -A`,
commit, push; the first time `git init` it and add the remote); learners clone it and `git pull`
later versions. For a learning platform, `DEST=offline-rl-course.zip` and upload the zip; learners
unzip it. Either way they run `make lab`.

Safety: the release must be up to date (scripts/release.py --check), and the finished tree is
scanned for every solution cell's source and every hidden-test line of every lesson; a hit
aborts. DEST must be empty, missing, or a previous edition (it has a `.learner-edition` file):
then everything in it except `.git/` is replaced, so a clone of the learners' repository can be
updated in place and committed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATES = REPO / "scripts" / "learner"
MARKER = ".learner-edition"

# Folders copied as they are (caches and editor droppings skipped).
TREES = ["notebooks", "data", "img", "offrl", ".jupyter/learner"]
FILES = ["nbgrader_config.py", "scripts/check.py"]
_SKIP = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", ".DS_Store", "ray_results", "*.egg-info",
    "workspaces",  # .jupyter/learner/workspaces: the instructor's own open tabs
)  # fmt: skip
# Requirements only the instructor's repository needs (tests, browser tests).
INSTRUCTOR_ONLY = {"pytest", "pytest-xdist", "execnet", "iniconfig", "pluggy", "playwright",
                   "greenlet", "pyee"}  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The answer key: what must never appear in the edition
# ---------------------------------------------------------------------------------------------
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> set[str]:
    return {ln.strip() for ln in text.splitlines() if ln.strip()}


def public_text(repo: Path = REPO) -> str:
    """What learners may see anyway: the release notebooks and the helper package."""
    notebooks = sorted((repo / "notebooks").glob("*/*.ipynb"))
    parts = [_source(c) for nb in notebooks for c in _cells(nb)]
    parts += [p.read_text(encoding="utf-8") for p in sorted((repo / "offrl").glob("*.py"))]
    return "\n".join(parts)


def answer_key(repo: Path = REPO) -> list[tuple[str, str]]:
    """(where, text) of every solution (the text between the markers, or a whole solution cell
    without markers, e.g. a written answer) and every hidden-test line, unless it is public
    anyway (a hidden line such as `assert ok` that a visible test has too is no secret).

    A text of several lines is looked for with whitespace normalised, anywhere in a file; a text
    of one line as a whole line (so `answer = True` is not found in the public comment
    `# answer = True or False`)."""
    public = public_text(repo)
    public_norm, public_lines = _norm(public), _lines(public)

    def secret(text: str) -> bool:
        lines = _lines(text)
        if len(lines) > 1:
            return _norm(text) not in public_norm
        return bool(lines) and not lines <= public_lines

    key = []
    for nb in sorted((repo / "solutions").glob("*/*.ipynb")):
        for cell in _cells(nb):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            src = _source(cell)
            where = f"{nb.stem}:{meta.get('grade_id', '?')}"
            if meta.get("solution"):
                blocks = _SOLUTION.findall(src) or [src]
                key += [(where, b) for b in blocks if len(_norm(b)) >= 4 and secret(b)]
            for block in _HIDDEN.findall(src):
                for line in block.splitlines():
                    if len(line.strip()) >= 12 and secret(line):
                        key.append((f"{where} (hidden test)", line))
    return key


def _searchable(path: Path) -> tuple[str, set[str]]:
    """(whitespace-normalised text, set of stripped lines) of a file; a notebook's cells are
    joined back from their JSON strings."""
    raw = path.read_bytes().decode("utf-8", errors="ignore")
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(raw).get("cells", [])
            out = [o.get("text", "") for c in cells for o in c.get("outputs", [])]
            raw += "\n" + "\n".join(_source(c) for c in cells)
            raw += "\n" + "\n".join("".join(t) if isinstance(t, list) else t for t in out)
        except (ValueError, AttributeError):
            pass
    return _norm(raw), _lines(raw)


def _found(text: str, norm: str, lines: set[str]) -> bool:
    wanted = _lines(text)
    return _norm(text) in norm if len(wanted) > 1 else bool(wanted) and wanted <= lines


def find_leaks(tree: Path, key: list[tuple[str, str]]) -> list[str]:
    """'file: where' for every answer-key text found in any file under `tree` (or the file)."""
    tree = Path(tree)
    files = [tree] if tree.is_file() else sorted(p for p in tree.rglob("*") if p.is_file())
    leaks = []
    for path in files:
        rel = path.relative_to(tree) if path != tree else Path(path.name)
        if ".git" in rel.parts:
            continue
        norm, lines = _searchable(path)
        leaks += [f"{rel}: {where}" for where, t in key if _found(t, norm, lines)]
    return leaks


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------
def requirements(repo: Path = REPO) -> str:
    out = []
    for line in (repo / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>\[ ;]", line.strip(), maxsplit=1)[0].lower()
        if name and not line.lstrip().startswith(("#", "-")) and name in INSTRUCTOR_ONLY:
            if out and out[-1].startswith("#") and "test" in out[-1]:
                out.pop()  # the comment that explained it
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def pyproject(repo: Path = REPO) -> str:
    project = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    deps = ", ".join(json.dumps(d) for d in project.get("dependencies", []))
    return (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f"[project]\nname = {json.dumps(project['name'])}\n"
        f"version = {json.dumps(project['version'])}\n"
        f"description = {json.dumps(project.get('description', ''))}\n"
        f"requires-python = {json.dumps(project.get('requires-python', '>=3.11'))}\n"
        f"dependencies = [{deps}]\n\n"
        '[tool.setuptools]\npackages = ["offrl"]\n'
    )


def lesson_table(repo: Path = REPO) -> str:
    rows = []
    for nb in sorted((repo / "notebooks").glob("*/*.ipynb")):
        first = next((_source(c) for c in _cells(nb) if c.get("cell_type") == "markdown"), "")
        title = next((ln[2:] for ln in first.splitlines() if ln.startswith("# ")), nb.stem)
        title = re.sub(r"^Lesson \d+\s*[—:-]\s*", "", title).strip()
        rel = nb.relative_to(repo).as_posix()
        rows.append(f"| {nb.stem[:2]} | [`{nb.parent.name}`]({rel}) | {title} |")
    return "\n".join(rows)


def _source_commit(repo: Path) -> str:
    proc = subprocess.run(["git", "-C", str(repo), "describe", "--always", "--dirty"],
                          capture_output=True, text=True)  # fmt: skip
    return proc.stdout.strip() or "unknown"


def check_release(repo: Path = REPO) -> None:
    path = repo / "scripts" / "release.py"
    spec = importlib.util.spec_from_file_location("offrl_course_release", path)
    release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(release)
    stale = release.release(release.find_assignments(repo), check=True, repo=repo)
    if stale:
        raise SystemExit(
            f"learner-edition: notebooks/ is out of date for {', '.join(stale)}: run `make release`"
            " and commit first"
        )


def write_tree(out: Path, repo: Path = REPO) -> None:
    """Write the edition into the empty (or missing) folder `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for tree in TREES:
        shutil.copytree(repo / tree, out / tree, ignore=_SKIP)
    for f in FILES:
        (out / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / f, out / f)
    shutil.copy2(TEMPLATES / "Makefile", out / "Makefile")
    shutil.copy2(TEMPLATES / "gitignore", out / ".gitignore")
    readme = (TEMPLATES / "README.md").read_text().replace("{lessons}", lesson_table(repo))
    (out / "README.md").write_text(readme)
    (out / "requirements.txt").write_text(requirements(repo))
    (out / "pyproject.toml").write_text(pyproject(repo))
    (out / MARKER).write_text(
        "Generated by the instructors' `make learner-edition`; do not edit by hand.\n"
        f"source: {_source_commit(repo)}\n"
    )
    for path in out.rglob("*"):  # plain permissions, whatever the source had
        path.chmod(0o755 if path.is_dir() else 0o644)


def _prepare(dest: Path, repo: Path) -> None:
    """Make `dest` an empty folder (keeping .git/ of a previous edition) or refuse."""
    dest = dest.resolve()
    if dest == repo or repo.is_relative_to(dest):
        raise SystemExit(f"learner-edition: refusing to write into {dest} (it holds the course)")
    if not dest.exists():
        return
    entries = [p for p in dest.iterdir() if p.name != ".git"]
    if entries and not (dest / MARKER).is_file():
        raise SystemExit(
            f"learner-edition: {dest} is neither empty nor a previous learner edition "
            f"(no {MARKER} file): choose another DEST"
        )
    for p in entries:
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def build(dest: Path | str, repo: Path = REPO, check: bool = True) -> Path:
    """Write the learner edition to `dest` (a folder, or a .zip); return `dest`."""
    repo, dest = Path(repo).resolve(), Path(dest)
    if check:
        check_release(repo)
    key = answer_key(repo)
    with tempfile.TemporaryDirectory(prefix="learner-edition-") as tmp:
        name = dest.stem if dest.suffix == ".zip" else dest.name
        staged = Path(tmp) / (name or "learner-edition")
        write_tree(staged, repo)
        leaks = find_leaks(staged, key)
        if leaks:
            raise SystemExit("learner-edition: answer key found, nothing written:\n  " +
                             "\n  ".join(leaks))  # fmt: skip
        if dest.suffix == ".zip":
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
                for p in sorted(staged.rglob("*")):
                    z.write(p, p.relative_to(staged.parent).as_posix())
        else:
            _prepare(dest, repo)
            dest.mkdir(parents=True, exist_ok=True)
            for p in staged.iterdir():
                shutil.move(str(p), dest / p.name)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dest", help="a folder (empty, missing or a previous edition) or a .zip")
    ap.add_argument(
        "--no-check", action="store_true",
        help="skip the check that notebooks/ is up to date (the answer-key scan still runs)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    dest = build(args.dest, check=not args.no_check)
    n_key = len(answer_key())
    print(f"learner edition written to {dest} (checked: none of {n_key} answer-key texts in it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
