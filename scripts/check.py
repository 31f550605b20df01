"""Check your notebooks with nbgrader's validator (what `make check` runs).

    python scripts/check.py                           # every notebook under notebooks/
    python scripts/check.py 03_inspecting_rollouts    # one lesson, with the details of each failure
    python scripts/check.py path/to/notebook.ipynb    # any notebook of the course

For each notebook it prints PASS, or FAIL with the number of test cells that fail (or that were
edited: test cells are locked). Checking one lesson prints nbgrader's full report. Exit status:
0 when every notebook checked passes, 1 otherwise. Each notebook runs top to bottom in a fresh
kernel, as in grading; lessons 02 and 04 start Ray and take a minute or two.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1]
SUCCESS = "Success! Your notebook passes all the tests."


def notebooks(args: list[str]) -> list[Path]:
    if not args:
        return sorted((COURSE / "notebooks").glob("*/*.ipynb"))
    found = []
    for arg in args:
        path = Path(arg)
        if path.suffix == ".ipynb":
            found.append(path.resolve())
            continue
        name = path.name  # "03_inspecting_rollouts" or "notebooks/03_inspecting_rollouts"
        candidate = COURSE / "notebooks" / name / f"{name}.ipynb"
        if not candidate.is_file():
            lessons = ", ".join(p.parent.name for p in notebooks([])) or "none"
            raise SystemExit(f"check: no lesson {arg!r} (lessons: {lessons})")
        found.append(candidate)
    return found


def validate(nb: Path) -> tuple[bool, str, str]:
    """(passed, one-line summary, nbgrader's full output) of `nbgrader validate NB`, run from the
    course root so its nbgrader_config.py applies (validate's exit status is always 0)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)  # nbgrader needs this venv's tools on PATH
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", str(nb)],
        cwd=COURSE, env=env, capture_output=True, text=True,
    )  # fmt: skip
    text = (proc.stdout + proc.stderr).strip()
    failed = re.search(r"VALIDATION FAILED ON (\d+) CELL", text)
    changed = re.search(r"THE CONTENTS OF (\d+) TEST CELL", text)
    if SUCCESS in text and not failed and not changed:
        return True, "PASS", text
    parts = []
    if changed:
        parts.append(f"{changed.group(1)} locked test cell(s) were edited: undo your edits there")
    if failed:
        parts.append(f"{failed.group(1)} test cell(s) fail")
    if not parts:
        parts.append("nbgrader could not check it: " + (text.splitlines() or ["no output"])[-1])
    return False, "FAIL  " + "; ".join(parts), text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return 0
    paths = notebooks(args)
    if not paths:
        print("check: no notebooks found")
        return 1
    verbose = len(paths) == 1
    width = max(len(p.stem) for p in paths)
    all_ok = True
    live = sys.stdout.isatty()
    for nb in paths:
        if live:
            print(f"{nb.stem:<{width}}  checking ...", end="", flush=True)
        ok, summary, text = validate(nb)
        all_ok &= ok
        line = f"{nb.stem:<{width}}  {summary}"
        print(f"\r{line:<{width + 14}}" if live else line, flush=True)
        if verbose and not ok:
            print(text)
    if not all_ok and not verbose:
        print("\nThe details of one lesson: make check A=<lesson>, e.g. A=01_simulated_recommender")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
