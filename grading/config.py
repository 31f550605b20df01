"""The nbgrader configuration that makes grading trustworthy; nbgrader_config.py calls
:func:`configure` when the ``grading`` package is present (the instructor's repository; the
learner edition has no ``grading/`` and keeps plain nbgrader for ``validate``)."""

from __future__ import annotations

import os


def configure(c, root: str) -> None:
    """Autograde executes in the sandbox (:class:`grading.execute.SandboxedExecute` in place of
    nbgrader's Execute), finding results ``make grade`` already computed in ``.grading/cache``;
    feedback shows no hidden test and runs no learner JavaScript (:mod:`grading.feedback`)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from grading.execute import SandboxedExecute

    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.SandboxedExecute.cache_dir = os.path.join(root, ".grading", "cache")
    # `make grade` writes grades.csv (with a column per cell and the review flags); nbgrader's
    # own `export` would overwrite it with a file without flags, so it writes beside it instead.
    c.ExportPlugin.to = os.path.join(root, "grades_nbgrader_export.csv")
    try:
        from grading import feedback
    except ImportError:  # pragma: no cover - feedback hardening not installed
        return
    feedback.configure(c)
