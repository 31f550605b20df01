"""Shared pytest setup: the venv's bin/ first on PATH (nbgrader shells out to `alembic`), and a
per-lesson timing summary at the end of the run."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_BIN = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    try:
        from tests.nbgrader_harness import TIMINGS
    except Exception:  # pragma: no cover - harness not importable: nothing to report
        return
    if not TIMINGS:
        return
    terminalreporter.section("lesson timings (s)")
    for lesson in sorted(TIMINGS):
        parts = ", ".join(f"{step} {sec:.1f}" for step, sec in TIMINGS[lesson].items())
        total = sum(TIMINGS[lesson].values())
        terminalreporter.write_line(f"{lesson}: {parts}; total {total:.1f}")
