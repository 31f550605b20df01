"""Write the feedback of every graded submission (what `make feedback` runs).

    python scripts/feedback.py                          # every assignment graded by `make grade`
    python scripts/feedback.py 03_inspecting_rollouts   # only these

Runs `nbgrader generate_feedback A --force` from the course root, so the course's configuration
applies (with the `grading` package: hidden tests and answer keys left out, HTML sanitised). One
HTML file per learner and assignment: feedback/<student>/<A>/<A>.html, ready to upload to the
learning platform or mail. nbgrader's log is shown only when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def graded_assignments(root: Path) -> list[str]:
    autograded = root / "autograded"
    if not autograded.is_dir():
        return []
    return sorted({a.name for s in autograded.iterdir() if s.is_dir() for a in s.iterdir()
                   if a.is_dir()})  # fmt: skip


def generate(assignment: str, root: Path = REPO) -> list[Path]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_feedback", assignment, "--force"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(
            f"feedback: nbgrader generate_feedback {assignment} failed (exit {proc.returncode}):\n"
            f"{proc.stdout}{proc.stderr}"
        )
    return sorted((root / "feedback").glob(f"*/{assignment}/*.html"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = REPO
    assignments = args or graded_assignments(root)
    if not assignments:
        print("feedback: nothing graded yet (run make grade first)")
        return 1
    for a in assignments:
        files = generate(a, root)
        print(f"feedback: {a}: {len(files)} file(s) in feedback/<student>/{a}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
