"""Regenerate the student release notebooks/<A>/ from the instructor source solutions/<A>/.

    python scripts/release.py                      # every assignment found in solutions/
    python scripts/release.py 00_why_offline_rl    # only these
    python scripts/release.py --check              # exit 1 if notebooks/ is out of date

It does everything `nbgrader generate_assignment A --force` does from the repository root, and
one thing more: first it gives each solutions/<A>/<A>.ipynb the course's complete notebook
metadata (kernelspec and language_info, as JupyterLab 4 writes them: a notebook then opens
unmodified), then it runs the real `nbgrader generate_assignment` with the repository's
nbgrader_config.py, which registers the assignment (its cells, points and checksums) in the
repository's gradebook.db (git-ignored) and writes the release (solutions stripped, hidden tests
removed, outputs cleared, checksums of locked cells recorded) into a temporary folder; the release
replaces notebooks/<A>/ only where it differs. Running it twice gives byte-identical files.
`--check` generates in a throwaway course directory and touches nothing.

tests/nbgrader_harness.py uses the functions below, so the tests check the same release process.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "nbgrader_config.py"
SOURCE = "solutions"
RELEASE = "notebooks"
# Files nbgrader must not copy from solutions/<A>/ into a course (mirrors CourseDirectory.ignore).
_IGNORE = shutil.ignore_patterns(
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store", "ray_results"
)


# The top-level notebook metadata every lesson carries (solutions/ and, through nbgrader, the
# release): what JupyterLab 4 writes once the course's kernel has run, so opening a lesson does
# not mark it modified. `language_info.version` is the course's Python (CI's and the reference
# machine's); a learner's other 3.11.x only changes that field on their first save.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
    "version": "3.11.7",
}


def _dump(nb: dict) -> str:
    """A notebook as nbformat writes it (indent 1, sorted keys, UTF-8, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def normalise_metadata(path: Path, check: bool = False) -> bool:
    """Give the notebook at `path` the course's kernelspec and language_info (top-level metadata
    only; cells untouched). Returns True if it had to change (with check=True: would have)."""
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    meta = nb.setdefault("metadata", {})
    if meta.get("kernelspec") == KERNELSPEC and meta.get("language_info") == LANGUAGE_INFO:
        return False
    if not check:
        meta["kernelspec"], meta["language_info"] = dict(KERNELSPEC), dict(LANGUAGE_INFO)
        path.write_text(_dump(nb), encoding="utf-8")
    return True


def find_assignments(repo: Path = REPO) -> list[str]:
    """Assignments present in solutions/: folders holding a notebook named like the folder."""
    src = repo / SOURCE
    if not src.is_dir():
        return []
    return sorted(d.name for d in src.iterdir() if (d / f"{d.name}.ipynb").is_file())


def nbgrader_env() -> dict[str, str]:
    """os.environ with this interpreter's bin/ first on PATH (nbgrader shells out to `alembic`)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def run_nbgrader(args: list[str], course: Path) -> subprocess.CompletedProcess:
    """Run `python -m nbgrader ARGS` in `course` (where its nbgrader_config.py is); raise with
    nbgrader's log on a non-zero exit."""
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed (exit {proc.returncode}) in {course}:\n"
            f"{proc.stdout}\n{proc.stderr}"
        )
    return proc


def make_course(course: Path, assignments: list[str], repo: Path = REPO) -> Path:
    """Create a course directory at `course`: the repo's nbgrader_config.py (whose root is its own
    folder, so the course root becomes `course`) plus solutions/<A>/ for each assignment."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy2(repo / "nbgrader_config.py", course / "nbgrader_config.py")
    for a in assignments:
        dest = course / SOURCE / a
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(repo / SOURCE / a, dest, ignore=_IGNORE)
    return course


def generate(course: Path, assignment: str) -> Path:
    """`nbgrader generate_assignment A --force` inside `course`; returns course/notebooks/A."""
    run_nbgrader(["generate_assignment", assignment, "--force"], course)
    out = course / RELEASE / assignment
    if not (out / f"{assignment}.ipynb").is_file():
        raise RuntimeError(f"nbgrader wrote no {out / assignment}.ipynb")
    return out


def build_release(assignment: str, workdir: Path, repo: Path = REPO) -> Path:
    """Generate the release of one assignment in a course under `workdir`; returns its folder."""
    course = make_course(Path(workdir) / "course", [assignment], repo)
    return generate(course, assignment)


def generate_registered(assignment: str, workdir: Path, repo: Path = REPO) -> Path:
    """`nbgrader generate_assignment A --force` in the repository itself (so A, its cells and
    points are registered in repo/gradebook.db, as nbgrader does), writing the release into
    `workdir` instead of notebooks/; returns workdir/A."""
    out = Path(workdir) / "release"
    run_nbgrader(
        ["generate_assignment", assignment, "--force",
         f"--CourseDirectory.release_directory={out}"], repo,
    )  # fmt: skip
    if not (out / assignment / f"{assignment}.ipynb").is_file():
        raise RuntimeError(f"nbgrader wrote no {out / assignment / assignment}.ipynb")
    return out / assignment


def _same_tree(a: Path, b: Path) -> bool:
    cmp = filecmp.dircmp(a, b, ignore=[])
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(_same_tree(a / d, b / d) for d in cmp.common_dirs)


def release(assignments: list[str], check: bool = False, repo: Path = REPO) -> list[str]:
    """Regenerate notebooks/<A>/ for each assignment and register it in gradebook.db (or, with
    check=True, only compare). Returns the assignments whose committed release (or solution
    metadata) differed from a fresh one."""
    differ = []
    for a in assignments:
        if normalise_metadata(repo / SOURCE / a / f"{a}.ipynb", check=check):
            verb = "lacks" if check else "given"
            print(f"{a}: {SOURCE}/{a}/{a}.ipynb {verb} the course's notebook metadata")
            if check:
                differ.append(a)
                continue
        with tempfile.TemporaryDirectory(prefix=f"release-{a}-") as tmp:
            if check:
                fresh = build_release(a, Path(tmp), repo)
            else:
                fresh = generate_registered(a, Path(tmp), repo)
            target = repo / RELEASE / a
            if target.is_dir() and _same_tree(fresh, target):
                print(f"{a}: up to date")
                continue
            differ.append(a)
            if check:
                print(f"{a}: notebooks/{a} differs from a fresh release")
                continue
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(fresh, target)
            for path in target.rglob("*"):  # plain repo permissions, not nbgrader's read-only ones
                path.chmod(0o755 if path.is_dir() else 0o644)
            print(f"{a}: wrote notebooks/{a}")
    return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", metavar="A", help="default: all in solutions/")
    parser.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if a release is out of date"
    )
    args = parser.parse_args(argv)
    known = find_assignments()
    wanted = args.assignments or known
    unknown = [a for a in wanted if a not in known]
    if unknown:
        known_list = ", ".join(known) or "none"
        parser.error(f"not in {SOURCE}/: {', '.join(unknown)} (known: {known_list})")
    differ = release(wanted, check=args.check)
    return 1 if (args.check and differ) else 0


if __name__ == "__main__":
    sys.exit(main())
