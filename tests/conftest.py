"""Shared pytest setup: the venv's bin/ first on PATH (nbgrader shells out to `alembic`), and a
per-lesson timing summary at the end of the run (gathered from every pytest-xdist worker)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

_BIN = str(Path(sys.executable).parent)
if os.environ.get("PATH", "").split(os.pathsep)[0] != _BIN:
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (`make test TEST_WORKERS=N` runs `--dist loadgroup`): a module's tests
    stay on one worker, so its module-scoped fixtures (a course, a Lab server) are built once;
    tests that name their own group (one per lesson, sharing the lesson's runs) keep it."""
    for item in items:
        if not any(True for _ in item.iter_markers("xdist_group")):
            group = item.module.__name__ if item.module else "misc"
            item.add_marker(pytest.mark.xdist_group(group))


def _timings() -> dict:
    try:
        from tests.nbgrader_harness import TIMINGS
    except Exception:  # pragma: no cover - harness not importable: nothing to report
        return {}
    return TIMINGS


def pytest_sessionfinish(session):
    """On a pytest-xdist worker: hand this worker's lesson timings to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["offrl_timings"] = json.dumps(_timings())


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the pytest-xdist controller: merge a finished worker's lesson timings."""
    from tests.nbgrader_harness import time_step

    sent = getattr(node, "workeroutput", {}).get("offrl_timings", "{}")
    for lesson, steps in json.loads(sent).items():
        for step, sec in steps.items():
            time_step(lesson, step, sec)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    timings = _timings()
    if not timings:
        return
    terminalreporter.section("lesson timings (s)")
    for lesson in sorted(timings):
        parts = ", ".join(f"{step} {sec:.1f}" for step, sec in timings[lesson].items())
        total = sum(timings[lesson].values())
        terminalreporter.write_line(f"{lesson}: {parts}; total {total:.1f}")


# ---------------------------------------------------------------------------------------------
# One run per lesson per session, shared by test_lessons.py and test_reproducibility.py
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def lesson_run(tmp_path_factory):
    """assignment -> nbgrader_harness.LessonRun (generated and autograded once per session)."""
    from tests import nbgrader_harness as h

    cache: dict = {}

    def get(assignment: str):
        if assignment not in cache:
            try:
                cache[assignment] = h.build_lesson_run(
                    assignment, tmp_path_factory.mktemp(assignment)
                )
            except BaseException as e:  # build once; every dependent test reports the error
                cache[assignment] = h.LessonRun(assignment, Path(), None, None, [], error=e)
        run = cache[assignment]
        if run.error is not None:
            raise run.error
        return run

    return get


@pytest.fixture(scope="session")
def kernel_run(tmp_path_factory):
    """assignment -> nbgrader_harness.KernelRun: the solution executed top to bottom in one
    kernel, and every typical mistake and correct variant checked in a second (run_with_mistakes)."""
    from tests import nbgrader_harness as h

    cache: dict = {}

    def get(assignment: str):
        if assignment not in cache:
            workdir = tmp_path_factory.mktemp(f"{assignment}-elsewhere")  # not the repo
            try:
                cache[assignment] = h.run_with_mistakes(
                    h.solution_path(assignment), h.load_mistakes(assignment), workdir,
                    variants=h.load_variants(assignment),
                )
                h.time_step(assignment, "execute + mistakes", cache[assignment].seconds)
            except BaseException as e:
                cache[assignment] = e
            h.LEFTOVERS[assignment] = sorted(p.name for p in workdir.iterdir())
        run = cache[assignment]
        if isinstance(run, BaseException):
            raise run
        return run

    return get
